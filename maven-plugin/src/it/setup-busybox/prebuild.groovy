// Imports a busybox root filesystem as busybox:latest into the store the ITs build into (storeRoot), through
// the same public API the plugin uses. The tarball comes from testdata/examples/busybox-rootfs.sh.
// The store is emptied first: a cache left by an earlier run would let the ITs pass without running any step.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions

File store = new File(storeRoot)
assert !store.exists() || store.deleteDir() : "cannot empty the ITs' store $store"

File tar = new File(basedir, 'target/busybox.tar')
tar.parentFile.mkdirs()
Process script = new ProcessBuilder(busyboxRootfsScript, tar.path).redirectErrorStream(true).start()
String output = script.inputStream.text
assert script.waitFor() == 0 : "busybox-rootfs.sh failed (is busybox installed? apt-get install busybox-static): $output"

BuildEngine engine = BuildEngine.create(EngineOptions.of(store.toPath()))
try {
    println "imported ${engine.importImage(tar.toPath(), 'busybox:latest')}"
} finally {
    engine.close()
}
return true
