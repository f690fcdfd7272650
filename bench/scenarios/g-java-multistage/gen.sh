#!/bin/sh
# Context: 40 Java classes in one package, each calling the next.
set -e
dir="$1/src/main/java/bench"
mkdir -p "$dir"
i=0
while [ $i -lt 40 ]; do
  next=$((i + 1))
  if [ $i -eq 39 ]; then call='return n;'; else call="return C$next.step(n + $i);"; fi
  printf 'package bench;\n\nfinal class C%d {\n    static long step(long n) {\n        %s\n    }\n}\n' $i "$call" >"$dir/C$i.java"
  i=$next
done
printf 'package bench;\n\npublic final class App {\n    public static void main(String[] args) {\n        System.out.println(C0.step(1));\n    }\n}\n' >"$dir/App.java"
