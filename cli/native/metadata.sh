#!/bin/bash
# Regenerates the native-image reachability metadata of the CLI (cli/src/main/resources/META-INF/native-image/)
# from the shaded jar: there is no tracing agent without a GraalVM distribution (docs/native-image.md), so the lists
# are broad instead of traced. Reflection: every wharf class (Jackson binds records and beans of grammar, layers,
# cache and cli by reflection; which ones changes with the code). JNI: zstd-jni's classes, whose C code reads their
# fields, and the two exceptions it throws. Resources: wharf's own (version, seccomp profile, helper binaries and
# their digests, the JNI library) and zstd-jni's library for this platform.
# Usage: cli/native/metadata.sh [cli/target/wharf.jar]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
jar=${1:-$here/cli/target/wharf.jar}
out=$here/cli/src/main/resources/META-INF/native-image/dev.wharf/wharf-cli
mkdir -p "$out"
classes() { unzip -Z1 "$jar" | grep -E "^$1.*\.class\$" | grep -vE '(package|module)-info\.class$' | sed 's/\.class$//; s#/#.#g' | LC_ALL=C sort; }
entries() { sed "s/.*/  {\"name\": \"&\", $1},/" | sed '$ s/,$//'; }
all='"allDeclaredConstructors": true, "allDeclaredMethods": true, "allDeclaredFields": true, "allPublicMethods": true'
{ echo '['; classes 'dev/wharf/' | entries "$all"; echo ']'; } > "$out/reflect-config.json"
{ echo '['; { classes 'com/github/luben/zstd/'; printf '%s\n' java.lang.OutOfMemoryError java.lang.RuntimeException; } | entries "$all"; echo ']'; } > "$out/jni-config.json"
cat > "$out/resource-config.json" <<'JSON'
{
  "resources": {
    "includes": [
      {"pattern": "\\Qdev/wharf/\\E.*\\.(properties|json|so|sha256)$"},
      {"pattern": "\\Qdev/wharf/\\E.*/native/linux-x86_64/wharf-[a-z]+$"},
      {"pattern": "\\Qlinux/amd64/libzstd-jni-\\E.*\\.so$"}
    ]
  }
}
JSON
echo "$(grep -c '"name"' "$out/reflect-config.json") reflection, $(grep -c '"name"' "$out/jni-config.json") JNI entries in $out"
