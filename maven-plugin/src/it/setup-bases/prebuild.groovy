// Imports the ITs' base images into their store (storeRoot) through the same public API the plugin uses:
// busybox:latest from testdata/examples/busybox-rootfs.sh, and wharf-jdk:17 / wharf-jre:17, jlinked from the
// host's JDK by testdata/examples/java-app/java-rootfs.sh.
// The store is emptied first: a cache left by an earlier run would let the ITs pass without running any step.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions

File store = new File(storeRoot)
assert !store.exists() || store.deleteDir() : "cannot empty the ITs' store $store"

def rootfs = { String name, List<String> command ->
    File tar = new File(basedir, "target/${name}.tar")
    tar.parentFile.mkdirs()
    Process p = new ProcessBuilder(command + [tar.path]).redirectErrorStream(true).start()
    String output = p.inputStream.text
    assert p.waitFor() == 0 : "${command[0]} failed: $output"
    tar
}
Map<String, File> bases = [
        'busybox:latest': rootfs('busybox', [busyboxRootfsScript]),
        'wharf-jdk:17'  : rootfs('jdk', [new File(examplesDirectory, 'java-app/java-rootfs.sh').path, 'jdk']),
        'wharf-jre:17'  : rootfs('jre', [new File(examplesDirectory, 'java-app/java-rootfs.sh').path, 'jre']),
]

BuildEngine engine = BuildEngine.create(EngineOptions.of(store.toPath()))
try {
    bases.each { name, tar ->
        println "imported ${engine.importImage(tar.toPath(), name)}"
        tar.delete()
    }
} finally {
    engine.close()
}
return true
