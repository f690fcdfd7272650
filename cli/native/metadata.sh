#!/bin/bash
# Writes the native-image reachability metadata of the CLI from the shaded jar, at every image build (build.sh runs
# it; nothing is committed, so a class added to wharf is never missing from a stale list): there is no tracing agent
# without a GraalVM distribution (docs/native-image.md), so the lists are broad instead of traced. Reflection: every wharf class (Jackson binds records and beans of grammar, layers,
# cache and cli by reflection; which ones changes with the code) and every picocli class (its factory instantiates
# the built-in `help` subcommand, and the completion script generator, reflectively: the CLI tests run against the
# image found `wharf help` failing without them). JNI: zstd-jni's classes, whose C code reads their
# fields, and the two exceptions it throws. Resources: wharf's own (version, seccomp profile, helper binaries and
# their digests, the JNI library) and zstd-jni's library for this platform.
# Usage: cli/native/metadata.sh JAR OUTPUT_DIRECTORY
set -euo pipefail
jar=$1
out=$2
mkdir -p "$out"
classes() { unzip -Z1 "$jar" | awk -v p="^$1" '$0 ~ p && /\.class$/ && !/(package|module)-info\.class$/ { sub(/\.class$/, ""); gsub("/", "."); print }' | LC_ALL=C sort; }
entries() { sed "s/.*/  {\"name\": \"&\", $1},/" | sed '$ s/,$//'; }
all='"allDeclaredConstructors": true, "allDeclaredMethods": true, "allDeclaredFields": true, "allPublicMethods": true'
{ echo '['; { classes 'dev/wharf/'; classes 'picocli/'; } | entries "$all"; echo ']'; } > "$out/reflect-config.json"
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
