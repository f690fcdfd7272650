package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.CmdInstruction;
import dev.wharf.grammar.instructions.CommandLine;
import dev.wharf.grammar.instructions.EntrypointInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.HealthcheckInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.LabelInstruction;
import dev.wharf.grammar.instructions.MaintainerInstruction;
import dev.wharf.grammar.instructions.OnbuildInstruction;
import dev.wharf.grammar.instructions.ShellInstruction;
import dev.wharf.grammar.instructions.StopSignalInstruction;
import dev.wharf.grammar.instructions.UserInstruction;
import dev.wharf.grammar.instructions.VolumeInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an expanded instruction does to the image config: BuildKit's {@code dispatchEnv}, {@code dispatchLabel},
 * {@code dispatchCmd}, {@code dispatchEntrypoint} and the other {@code dispatch*} functions
 * (dockerfile2llb/convert.go, convert_expose.go), without the filesystem side. Errors are unlocated; the caller
 * places them at the instruction.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigEffects {

    /** BuildKit's {@code defaultShell} for Linux. */
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    private ConfigEffects() {
    }

    /**
     * The config after {@code instruction}.
     *
     * @param cmdSetInStage whether a CMD came earlier in this stage (ENTRYPOINT then keeps it)
     */
    static ImageConfig apply(Instruction instruction, ImageConfig config, boolean cmdSetInStage)
            throws DockerfileException {
        if (instruction instanceof EnvInstruction env) {
            List<String> entries = config.env();
            for (KeyValue kv : env.pairs()) {
                entries = ImageConfig.addEnv(entries, kv.key().text(), kv.value().text());
            }
            return config.withEnv(entries);
        }
        if (instruction instanceof LabelInstruction label) {
            Map<String, String> labels = new TreeMap<>(config.labels());
            for (KeyValue kv : label.labels()) {
                labels.put(kv.key().text(), kv.value().text());
            }
            return config.withLabels(labels);
        }
        if (instruction instanceof WorkdirInstruction workdir) {
            return config.withWorkingDir(Workdirs.resolve(config.workingDir(), workdir.path().text()));
        }
        if (instruction instanceof UserInstruction user) {
            return config.withUser(user.user().text());
        }
        if (instruction instanceof CmdInstruction cmd) {
            return config.withCmd(Optional.of(commandArgs(cmd.command(), config)), true);
        }
        if (instruction instanceof EntrypointInstruction entrypoint) {
            ImageConfig out = config.withEntrypoint(Optional.of(commandArgs(entrypoint.command(), config)));
            // dispatchEntrypoint: an ENTRYPOINT resets an inherited CMD, not one set earlier in this stage.
            return cmdSetInStage ? out : out.withCmd(Optional.empty(), out.argsEscaped());
        }
        if (instruction instanceof HealthcheckInstruction health) {
            return config.withHealthcheck(Optional.of(health.health()));
        }
        if (instruction instanceof ExposeInstruction expose) {
            Set<String> ports = new TreeSet<>(config.exposedPorts());
            ports.addAll(PortSpecs.parsePorts(expose.ports().stream().map(Word::text).toList()));
            return config.withExposedPorts(ports);
        }
        if (instruction instanceof VolumeInstruction volume) {
            Set<String> volumes = new TreeSet<>(config.volumes());
            for (Word v : volume.volumes()) {
                if (v.text().isEmpty()) {
                    throw new DockerfileException(null, null, "VOLUME specified can not be an empty string");
                }
                volumes.add(v.text());
            }
            return config.withVolumes(volumes);
        }
        if (instruction instanceof StopSignalInstruction stop) {
            if (Signals.parse(stop.signal().text()).isEmpty()) {
                throw new DockerfileException(null, null, "invalid signal: " + stop.signal().text());
            }
            return config.withStopSignal(stop.signal().text());
        }
        if (instruction instanceof ShellInstruction shell) {
            return config.withShell(shell.shell().stream().map(Word::text).toList());
        }
        if (instruction instanceof OnbuildInstruction onbuild) {
            List<String> triggers = new ArrayList<>(config.onBuild());
            triggers.add(onbuild.expression());
            return config.withOnBuild(triggers);
        }
        if (instruction instanceof MaintainerInstruction maintainer) {
            return config.withAuthor(maintainer.maintainer().text());
        }
        return config;
    }

    /** The command as the config stores it: shell form gets the stage's shell in front (BuildKit's withShell). */
    static List<String> commandArgs(CommandLine command, ImageConfig config) {
        if (!command.prependShell()) {
            return command.values();
        }
        List<String> out = new ArrayList<>(shell(config));
        out.add(String.join(" ", command.values()));
        return out;
    }

    /** The shell for shell-form commands: SHELL's, or {@code /bin/sh -c}. */
    static List<String> shell(ImageConfig config) {
        return config.shell().isEmpty() ? DEFAULT_SHELL : config.shell();
    }
}
