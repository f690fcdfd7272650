// The example built in two stages (javac ran in the JDK stage), and its image, on the JRE base only, runs the jar.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions
import dev.wharf.builder.api.OutputSink

String log = new File(basedir, 'build.log').text
// Continuation lines joined as BuildKit keeps them (the blanks before each backslash and after each newline).
assert log =~ /#\d+ \[build 4\/4\] RUN mkdir -p classes +&& javac / : log
assert log =~ /#\d+ \[stage-1 2\/2\] COPY --from=build \/build\/app.jar \/app\/app.jar/ : log
String digest = new File(basedir, 'target/wharf/digest').text

BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    def images = engine.images().collectEntries { [(it.name()): it] }
    assert images['java-app:latest']?.digest() == digest : images
    // Only the jar was added to the JRE base: the image is the JRE's size plus a few kB, well below the JDK's.
    assert images['java-app:latest'].size() - images['wharf-jre:17'].size() < 100_000 : images
    assert images['java-app:latest'].size() < images['wharf-jdk:17'].size() : images

    List<String> out = Collections.synchronizedList([])
    int code = engine.run('java-app:latest', ['Maven'], { stream, line -> out << line } as OutputSink)
    assert code == 0 : out
    assert out.size() == 1 && out[0] ==~ /Hello, Maven, from Java \d+ in a wharf image/ : out
} finally {
    engine.close()
}
return true
