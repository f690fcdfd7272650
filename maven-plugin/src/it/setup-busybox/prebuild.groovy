// Imports a busybox root filesystem as busybox:latest into the store the ITs build into (storeRoot), through
// the same public API the plugin uses. The tarball comes from testdata/examples/busybox-rootfs.sh.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions

File tar = new File(basedir, 'target/busybox.tar')
tar.parentFile.mkdirs()
Process script = new ProcessBuilder(busyboxRootfsScript, tar.path).redirectErrorStream(true).start()
String output = script.inputStream.text
assert script.waitFor() == 0 : "busybox-rootfs.sh failed (is busybox installed? apt-get install busybox-static): $output"

BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    println "imported ${engine.importImage(tar.toPath(), 'busybox:latest')}"
} finally {
    engine.close()
}
return true
