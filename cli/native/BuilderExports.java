import java.lang.module.ModuleDescriptor;

/**
 * Prints an --add-exports option for every package of every module in the boot layer (run it with the builder's
 * --add-modules), exporting it to the image builder's modules given as the argument: SubstrateVM reaches into most
 * JDK modules' internals, which a GraalVM's module graph opens to it. One JVM instead of one per module.
 */
public class BuilderExports {
    public static void main(String[] args) {
        ModuleLayer.boot().modules().stream()
                .map(Module::getDescriptor)
                .filter(d -> !d.name().startsWith("jdk.graal.compiler"))
                .sorted(java.util.Comparator.comparing(ModuleDescriptor::name))
                .forEach(d -> d.packages().stream().sorted()
                        .forEach(p -> System.out.println("--add-exports=" + d.name() + "/" + p + "=" + args[0])));
    }
}
