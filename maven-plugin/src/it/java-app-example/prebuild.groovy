// Makes the example's two bases from the host's JDK (java-rootfs.sh, which runs jlink) and imports them as
// wharf-jdk:17 and wharf-jre:17 into the ITs' store.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions

File script = new File(examplesDirectory, 'java-app/java-rootfs.sh')
BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    for (String kind : ['jdk', 'jre']) {
        File tar = new File(basedir, "target/${kind}.tar")
        tar.parentFile.mkdirs()
        Process p = new ProcessBuilder(script.path, kind, tar.path).redirectErrorStream(true).start()
        String output = p.inputStream.text
        assert p.waitFor() == 0 : "java-rootfs.sh $kind failed: $output"
        println "imported ${engine.importImage(tar.toPath(), "wharf-$kind:17")}"
        tar.delete()
    }
} finally {
    engine.close()
}
return true
