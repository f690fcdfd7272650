# shellcheck shell=bash
# The JVM flags a wharf command starts with, for benchmarks that time wharf code in a fresh JVM of their own: read
# from ./wharf (its top-level opts lines), so a flag added there reaches every such benchmark.

# wharf_jvm_flags REPO: ./wharf's start-up flags, without the class-data archive.
wharf_jvm_flags() {
    sed -n 's/^opts="\$opts \(.*\)"$/\1/p; s/^opts="\(-XX.*\)"$/\1/p' "$1/wharf" | tr '\n' ' '
}

# wharf_cds_flags ARCHIVE: start from that class-data archive, mapped at its dump address as ./wharf maps its own
# (relocating the archive costs a fresh JVM ~14 ms of CPU).
wharf_cds_flags() {
    echo "-XX:SharedArchiveFile=$1 -Xlog:cds=off -Xlog:cds+dynamic=off -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
}
