// wharf:build ran after jar:jar in the package phase, copied the project's jar into a JRE image, and the image
// runs it; the config (read from the OCI layout) has the POM's label and project.build.outputTimestamp as its
// creation time.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions
import dev.wharf.builder.api.OutputSink
import groovy.json.JsonSlurper

String log = new File(basedir, 'build.log').text
int jar = log.indexOf('maven-jar-plugin:3.4.2:jar')
int wharf = log.indexOf('wharf-maven-plugin:')
assert jar >= 0 && wharf > jar : 'wharf:build must run after jar:jar'
// BuildKit's vertex name: one stage, so no stage name; the build arg expanded.
assert log.contains('[2/2] COPY target/app.jar /app/app.jar') : log
String digest = new File(basedir, 'target/wharf/digest').text

BuildEngine engine = BuildEngine.create(EngineOptions.of(new File(storeRoot).toPath()))
try {
    assert engine.images().find { it.name() == 'java-jar-project:2.3' }?.digest() == digest
    List<String> out = Collections.synchronizedList([])
    int code = engine.run('java-jar-project:2.3', ['a', 'b'], { stream, line -> out << line } as OutputSink)
    assert code == 0 : out
    assert out == ['Greetings from dev.wharf.it, args 2'] : out
} finally {
    engine.close()
}
File oci = new File(basedir, 'target/oci')
def blob = { String d -> new File(oci, 'blobs/sha256/' + d.substring('sha256:'.length())) }
// The layout holds the image with its layers gzip-compressed (the store keeps them uncompressed), so its manifest
// digest is its own; the config, and so the image id, is the same.
def exported = new JsonSlurper().parse(blob(new JsonSlurper().parse(new File(oci, 'index.json')).manifests[0].digest))
assert exported.config.digest == new File(basedir, 'target/wharf/id').text
assert exported.layers.every { it.mediaType == 'application/vnd.oci.image.layer.v1.tar+gzip' } : exported
def config = new JsonSlurper().parse(blob(exported.config.digest))
assert config.config.Labels['org.opencontainers.image.version'] == '2.3' : config
assert config.created == '2024-01-01T00:00:00Z' : config.created
return true
