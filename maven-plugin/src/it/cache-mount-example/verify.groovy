// The second build reran the RUN step (its BUILD_ID changed) and found what the first one fetched in the cache
// mount; the cache's content is not in either image.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions
import dev.wharf.builder.api.OutputSink

String log = new File(basedir, 'build.log').text
// invoker.debug makes Maven log at debug level, where the steps' output lines are.
assert log =~ /#\d+ [\d.]+s cache miss: fetched into \/var\/cache\/fetch/ : log
assert log =~ /#\d+ [\d.]+s cache hit: fetched by build 1/ : log

BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    def run = { String image, List<String> command ->
        List<String> out = Collections.synchronizedList([])
        int code = engine.run(image, command, { stream, line -> out << line } as OutputSink)
        assert code == 0 : out
        out
    }
    assert run('cache-demo:1', []) == ['fetched by build 1', 'built by build 1']
    assert run('cache-demo:2', []) == ['fetched by build 1', 'built by build 2']
    assert run('cache-demo:2', ['sh', '-c', 'ls -A /var/cache/fetch 2>/dev/null | wc -l']) == ['0']
} finally {
    engine.close()
}
return true
