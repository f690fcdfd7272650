package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses RUN: BuildKit's {@code parseRun} with the pre/post hooks of {@code commands_rundevice.go},
 * {@code commands_runmount.go}, {@code commands_runnetwork.go} and {@code commands_runsecurity.go}, run in that
 * (file name) order as Go runs their {@code init} functions.
 *
 * <p>Stateless and thread-safe.
 */
final class RunParser {

    private RunParser() {
    }

    static RunInstruction parse(Request req) throws DockerfileException {
        ParsedFlags flags = BuildFlags.parse(List.of(
                FlagSpec.strings("device"),
                FlagSpec.strings("mount"),
                FlagSpec.string("network", NetworkMode.DEFAULT.value()),
                FlagSpec.string("security", SecurityMode.SANDBOX.value())), req.flags());
        CommandLine command = InstructionReader.commandLine(req);

        List<Device> devices = new ArrayList<>();
        for (Word device : flags.list("device")) {
            try {
                devices.add(DeviceParser.parse(device.text()));
            } catch (DockerfileException e) {
                throw Errors.at(device.range(), e);
            }
        }
        List<Word> mounts = flags.list("mount");
        for (Word mount : mounts) {
            try {
                MountParser.checkUnexpanded(mount.text());
            } catch (DockerfileException e) {
                throw Errors.at(mount.range(), e);
            }
        }
        String network = flags.value("network");
        NetworkMode networkMode = NetworkMode.of(network).orElseThrow(() -> Errors.error(
                flags.word("network").map(Word::range).orElse(req.range()),
                "invalid network mode " + GoQuote.quote(network)));
        String security = flags.value("security");
        SecurityMode securityMode = SecurityMode.of(security).orElseThrow(() -> Errors.error(
                flags.word("security").map(Word::range).orElse(req.range()),
                "security " + GoQuote.quote(security) + " is not valid"));
        return new RunInstruction(req.origin(), command, mounts, networkMode, securityMode, devices, flags.used());
    }
}
