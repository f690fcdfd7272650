// The image went to the registry under the tag with the digest the goal published (pulled back into a fresh store
// with the same credentials), the push goal found every blob there, and the registry refuses anonymous pulls, so
// the settings.xml server's credentials were what the plugin used.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineException
import dev.wharf.builder.api.EngineOptions
import dev.wharf.builder.api.ProgressListener
import dev.wharf.builder.api.RegistrySettings
import dev.wharf.layers.registry.LocalRegistry

LocalRegistry registry = System.getProperties().get('wharf.it.pushRegistry')
assert registry != null : 'prebuild.groovy did not start the registry'
try {
    String image = "${registry.host()}/it/pushed:1.0"
    String log = new File(basedir, 'build.log').text
    assert log.contains("pushing $image") : log
    assert log.contains("Pushed $image: digest: ") : log
    assert log.contains('(0 blobs uploaded)') : 'the push goal uploaded blobs again: ' + log
    String digest = new File(basedir, 'target/wharf/digest').text
    assert log.contains("Pushed $image: digest: $digest") : log

    File fresh = new File(basedir, 'target/fresh-store')
    RegistrySettings login = RegistrySettings.anonymous().withLogin(registry.host(), 'it-pusher', 'it-push-pw-51c2')
    BuildEngine engine = BuildEngine.create(EngineOptions.of(fresh.toPath()).withRegistry(login))
    try {
        def pulled = engine.pull(image, Optional.empty(), ProgressListener.none())
        assert pulled.digest() == digest : "$pulled vs $digest"
        List<String> out = Collections.synchronizedList([])
        int code = engine.run(image, ['cat', '/pushed.txt'], { stream, line -> out << line } as dev.wharf.builder.api.OutputSink)
        assert code == 0 && out == ['pushed by the wharf:build goal'] : out
    } finally {
        engine.close()
    }
    BuildEngine anonymous = BuildEngine.create(EngineOptions.of(new File(basedir, 'target/anon-store').toPath())
            .withRegistry(RegistrySettings.anonymous()))
    try {
        anonymous.pull(image, Optional.empty(), ProgressListener.none())
        assert false : 'the registry let an anonymous client pull'
    } catch (EngineException expected) {
        assert expected.message.contains(image) : expected.message
    } finally {
        anonymous.close()
    }
} finally {
    registry.close()
}
return true
