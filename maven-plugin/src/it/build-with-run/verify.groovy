// The image exists in the store under both tags with the digest the goal published, and running it shows the
// file its RUN step wrote; the OCI layout in target/oci holds the same image (gzip layers), whose layers contain that file
// and the secret's length but never the secret; target/image.tar is a docker archive.
import dev.wharf.builder.api.BuildEngine
import dev.wharf.builder.api.EngineOptions
import groovy.json.JsonSlurper
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream
import org.apache.commons.compress.compressors.CompressorStreamFactory

String log = new File(basedir, 'build.log').text
// A RUN --mount keeps the one stage's name, as in BuildKit (its placeholder source makes a second dispatch state).
// Numbered after BuildKit's internal vertices: the Dockerfile, the base's metadata, .dockerignore, and the build
// context just before the COPY that reads it.
assert log.contains('#1 [internal] load build definition from Dockerfile') : log
assert log.contains('#4 [stage-0 1/4] FROM docker.io/library/busybox:latest') : log
assert log.contains('#5 [internal] load build context') : log
assert log.contains('#7 [stage-0 3/4] RUN mkdir -p /out') : log
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
File oci = new File(basedir, 'target/oci')
assert new File(oci, 'oci-layout').isFile() : "no OCI layout in $oci"
def blob = { String d -> new File(oci, 'blobs/sha256/' + d.substring('sha256:'.length())) }
def index = new JsonSlurper().parse(new File(oci, 'index.json'))
// The layout's manifest names the layers gzip-compressed, as BuildKit's OCI exporter writes them, while the store
// keeps them uncompressed: another manifest digest, the same config (image id).
assert index.manifests*.digest.unique().size() == 1 : index
def manifest = new JsonSlurper().parse(blob(index.manifests[0].digest))
assert manifest.config.digest == new File(basedir, 'target/wharf/id').text : manifest
assert manifest.layers.every { it.mediaType == 'application/vnd.oci.image.layer.v1.tar+gzip' } : manifest
Map<String, String> files = [:]
for (def layer : manifest.layers) {
    new BufferedInputStream(new FileInputStream(blob(layer.digest))).withCloseable { raw ->
        // true: read every gzip member (wharf's gzip layers are one member per 1 MiB block, as pigz-style
        // parallel writers and eStargz make them; commons-compress stops after the first by default).
        def tar = new TarArchiveInputStream(new CompressorStreamFactory(true).createCompressorInputStream(raw))
        for (def e = tar.nextEntry; e != null; e = tar.nextEntry) {
            files[e.name.replaceFirst('^\\./', '')] = e.isFile() ? new String(tar.readAllBytes(), 'UTF-8') : ''
        }
    }
}
assert files['out/built.txt'] == 'version 1.0 built by invoker\nhello from the context\n' : files.keySet()
assert files['out/token-length'].trim() == '14' : files['out/token-length']
assert !files.values().any { it.contains('it-secret-7f3a') } : 'the secret is in a layer'
assert !files.keySet().any { it.startsWith('run/secrets/token') } : files.keySet()

Set<String> archive = [] as Set
new BufferedInputStream(new FileInputStream(new File(basedir, 'target/image.tar'))).withCloseable { raw ->
    def tar = new TarArchiveInputStream(raw)
    for (def e = tar.nextEntry; e != null; e = tar.nextEntry) {
        archive << e.name.replaceFirst('^\\./', '')
    }
}
assert archive.containsAll(['manifest.json', 'index.json', 'oci-layout']) : archive
return true
