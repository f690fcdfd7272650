// The image exists in the store under both tags with the digest the goal published, and running it shows the
// file its RUN step wrote (so the RUN's layer is in the image).
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions

String log = new File(basedir, 'build.log').text
assert log.contains('#1 [stage-0 1/6] FROM busybox:latest') : log
assert log.contains('#5 [stage-0 5/6] RUN mkdir -p /out') : log
assert log.contains('Built image sha256:') : log

File digestFile = new File(basedir, 'target/wharf/digest')
assert digestFile.isFile() : "missing $digestFile"
String digest = digestFile.text
assert digest ==~ /sha256:[0-9a-f]{64}/ : digest
assert new File(basedir, 'target/wharf/id').text ==~ /sha256:[0-9a-f]{64}/

BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    def images = engine.images().findAll { it.name().startsWith('it-build:') }
    assert images*.name().sort() == ['it-build:1.0', 'it-build:latest'] : images
    assert images.every { it.digest() == digest } : "$images vs $digest"

    List<String> out = Collections.synchronizedList([])
    int code = engine.run('it-build:1.0', [], { stream, line -> out << line } as dev.wharf.builder.api.OutputSink)
    assert code == 0 : out
    assert out == ['version 1.0 built by invoker', 'hello from the context'] : out
} finally {
    engine.close()
}
return true
