// Starts a docker-registry with htpasswd auth on a free 127.0.0.1 port for this IT and hands its host:port to the
// forked build through .mvn/maven.config (-Dwharf.it.registry=...), which settings.xml also uses as the id of the
// server holding the credentials. verify.groovy stops it.
import dev.wharf.layers.registry.LocalRegistry

File dir = new File(basedir, 'target/registry')
dir.mkdirs()
LocalRegistry registry = LocalRegistry.start(dir.toPath(), new LocalRegistry.Htpasswd('it-pusher', 'it-push-pw-51c2'))
System.getProperties().put('wharf.it.pushRegistry', registry)
new File(basedir, '.mvn').mkdirs()
new File(basedir, '.mvn/maven.config').text = "-Dwharf.it.registry=${registry.host()}\n"
return true
