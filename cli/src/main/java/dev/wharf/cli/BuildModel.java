package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.command;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.list;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.optionalFlag;
import static dev.wharf.cli.CommandModel.positional;
import static dev.wharf.cli.CommandModel.positionalValue;
import static dev.wharf.cli.CommandModel.value;
import static dev.wharf.cli.CommandModel.withStandardHelp;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The model of {@code wharf build}, built in code (see {@link CommandModel}): its options in the order the
 * completion script lists them, and {@link #read}, which puts their parsed values into a {@link BuildCommand}.
 * Stateless.
 */
final class BuildModel {
    private BuildModel() {
    }

    /** A new {@code build} command and its model. */
    static CommandSpec create() {
        BuildCommand command = new BuildCommand();
        CommandSpec spec = command(command, "build", lines("Build an image from a Dockerfile and a context directory."),
                lines("0:the image was built", "1:the build failed", "2:usage error",
                        ExitCodes.FLAG_HELP),
                "  wharf build -t hello testdata/examples/hello",
                "  wharf build -f docker/Dockerfile --build-arg VERSION=1.2 --target runtime -t app:1.2 .",
                "  wharf build --pull --push -t localhost:5000/team/app:1.2 .",
                "  wharf build --progress=plain --no-cache -t app .",
                "  wharf build --progress=rawjson . 2> progress.jsonl",
                "  wharf build -o type=oci,dest=out.tar --iidfile id.txt .");
        command.spec = spec;
        spec.addOption(option("FILE", "-f", "--file")
                .description("The Dockerfile (default: CONTEXT/Dockerfile); '-' reads it from standard input; for a "
                        + "tar, URL or git context a path inside the context.")
                .build());
        spec.addOption(list("NAME[:TAG]", "-t", "--tag")
                .description("Tag the image (repeatable).")
                .build());
        spec.addOption(list("KEY[=VALUE]", "--build-arg")
                .description("A build argument; KEY alone takes the value from the environment (repeatable).")
                .build());
        spec.addOption(option("STAGE", "--target")
                .description("Build this stage instead of the last.")
                .build());
        spec.addOption(optionalFlag("noCache", "--no-cache")
                .description("Do not use the build cache.")
                .build());
        spec.addOption(list("STAGE", "--no-cache-filter").splitRegex(",")
                .description("Do not use the build cache for these stages.")
                .build());
        spec.addOption(option("MODE", "--progress").defaultValue("auto")
                .description("auto, tty, plain, rawjson, quiet or none (default: ${DEFAULT-VALUE}: tty on a "
                        + "terminal, else plain). tty redraws a compact live view, plain prints #N lines, rawjson "
                        + "one BuildKit SolveStatus JSON object per line, quiet only the image id, none nothing (as "
                        + "buildx).")
                .build());
        spec.addOption(optionalFlag("quiet", "-q", "--quiet")
                .description("Print nothing but the image id: --progress quiet, as docker build -q.")
                .build());
        spec.addOption(list("KEY[=VALUE]", "--label")
                .description("Add a label to the image; KEY alone sets an empty value (repeatable).")
                .build());
        spec.addOption(list("[TYPE:]KEY=VALUE", "--annotation")
                .description("Add an annotation to the image (repeatable); TYPE is manifest (the default), "
                        + "manifest-descriptor, index or index-descriptor, comma-separated, each optionally with "
                        + "[OS/ARCH].")
                .build());
        spec.addOption(list("OS/ARCH", "--platform")
                .description("The target platform; only the host's is supported (local names it, as in buildx; a "
                        + "comma-separated or repeated list may name it more than once).")
                .build());
        spec.addOption(option(Path.class, "FILE", "--metadata-file")
                .description("Write the image digest, config digest and names as JSON to FILE.")
                .build());
        spec.addOption(list("type=TYPE,dest=PATH", "-o", "--output")
                .description("Where the result goes: type=image (tag it, the default; name=NAME, push=true pushes), "
                        + "type=registry (push; short for type=image,push=true), type=oci,dest=FILE (an OCI layout "
                        + "tarball; tar=false: a directory), type=docker,dest=FILE (a docker load tarball), "
                        + "type=local,dest=DIR or type=tar,dest=FILE (the root filesystem); repeatable. Pushed and "
                        + "exported (registry, oci, docker) layers are compressed as "
                        + "compression=gzip|zstd|uncompressed (default gzip), compression-level=N (gzip 0-9, default "
                        + "6; zstd 1-22, default 3) and force-compression=true (also recompress base layers "
                        + "compressed otherwise) say; the local store keeps a build's layers uncompressed. "
                        + "oci-mediatypes=true|false: OCI or Docker media types (default: OCI for type=oci, Docker "
                        + "for registry and docker; zstd and index or descriptor annotations turn OCI on). "
                        + "rewrite-timestamp=true|false: with SOURCE_DATE_EPOCH, clamp the times in the layers the "
                        + "build wrote to the epoch (default true; false dates only the config and history). "
                        + "annotation[-TYPE][[OS/ARCH]].KEY=VALUE annotates an image output as --annotation does.")
                .build());
        spec.addOption(list("id=ID,src=FILE|env=VAR", "--secret")
                .description("A secret RUN --mount=type=secret,id=ID can read, from a file or an environment "
                        + "variable (a bare id=ID reads the variable ID if set, else the file ID); repeatable.")
                .build());
        spec.addOption(list("default|ID[=SOCKET|KEY[,KEY]]", "--ssh")
                .description("An ssh-agent socket RUN --mount=type=ssh[,id=ID] can use (default: $SSH_AUTH_SOCK), or "
                        + "private key files a private ssh-agent serves for the build; repeatable.")
                .build());
        spec.addOption(list("seccomp=unconfined", "--security-opt")
                .description("seccomp=unconfined runs RUN steps without Docker's default seccomp profile.")
                .build());
        spec.addOption(option("MODE", "--network").defaultValue("default")
                .description("The network of RUN steps: default (the host's network, as docker build gives RUN a "
                        + "network), host, or none (only loopback).")
                .build());
        spec.addOption(list("ENTITLEMENT", "--allow")
                .description("An entitlement, as buildx's --allow: network.host lets RUN --network=host steps run "
                        + "(as --network host does); security.insecure and device are accepted but wharf grants "
                        + "neither; buildx.local.delete is accepted (repeatable).")
                .build());
        spec.addOption(list("type=registry,ref=NAME", "--cache-from")
                .description("Import build cache from a registry (type=registry,ref=NAME, or just NAME) or an OCI "
                        + "layout directory (type=local,src=DIR[,tag=TAG]); repeatable. An unreadable source is a "
                        + "warning.")
                .build());
        spec.addOption(list("type=registry,ref=NAME[,mode=min|max]", "--cache-to")
                .description("Export the build cache to a registry (type=registry,ref=NAME) or an OCI layout "
                        + "directory (type=local,dest=DIR[,tag=TAG]); mode=min (default: the final image's stages) "
                        + "or mode=max (every stage); ignore-error=true makes a failed export a warning; "
                        + "compression=, compression-level=, force-compression= as for --output; repeatable.")
                .build());
        spec.addOption(option("SIZE", "-m", "--memory")
                .converters(new FlagValueCheck(FlagValueCheck.Kind.BYTES))
                .description("Memory limit of each RUN step, swap included (e.g. 512m, 2g); a step over it fails as "
                        + "out of memory.")
                .build());
        spec.addOption(option("N", "--cpus")
                .converters(new FlagValueCheck(FlagValueCheck.Kind.CPUS))
                .description("CPU time each RUN step may use, in CPUs (e.g. 0.5).")
                .build());
        spec.addOption(list("KEY=VALUE", "--resource")
                .description("A resource limit of RUN steps, as buildx's --resource: memory=SIZE (as --memory), "
                        + "cpu-quota=N and cpu-period=N (CPU time: quota/period CPUs, period 100000 by default); "
                        + "repeatable.")
                .build());
        spec.addOption(list("N", "--cpu-quota").hidden(true)
                .converters(new FlagValueCheck(FlagValueCheck.Kind.INT64))
                .description("buildx's legacy form of --resource cpu-quota=N.")
                .build());
        spec.addOption(list("N", "--cpu-period").hidden(true)
                .converters(new FlagValueCheck(FlagValueCheck.Kind.INT64))
                .description("buildx's legacy form of --resource cpu-period=N.")
                .build());
        spec.addOption(option(Long.class, "N", "--pids-limit")
                .description("Most processes and threads a RUN step may have at once.")
                .build());
        spec.addOption(optionalFlag("explainCache", "--explain-cache")
                .description("Say for each step that runs which input changed since its last build.")
                .build());
        spec.addOption(optionalFlag("check", "--check")
                .description("Run the build checks (BuildKit's Dockerfile lint rules) and build nothing; print what "
                        + "they found and exit 1 if any (buildx's --check, --call=check).")
                .build());
        spec.addOption(option("METHOD[,format=FORMAT][,ignorestatus=BOOL]", "--call").defaultValue("build")
                .description("build (the default), check (as --check), targets (list the Dockerfile's stages and "
                        + "their descriptions) or outline (the build args, secrets and ssh sockets the target "
                        + "uses), the last two building nothing and printing JSON with format=json, as buildx's "
                        + "--call.")
                .build());
        spec.addOption(option(Path.class, "FILE", "--iidfile")
                .description("Write the image id to FILE.")
                .build());
        spec.addOption(optionalFlag("pull", "--pull")
                .description("Look up every base image in its registry again, even when the store has its tag.")
                .build());
        spec.addOption(optionalFlag("push", "--push")
                .description("Push the image to the registries of its tags (short for --output=type=registry).")
                .build());
        // buildx declares it a StringSlice (commands/build.go): one value may hold several, comma-separated.
        spec.addOption(list("HOST:IP", "--add-host").splitRegex(",")
                .description("Add a line to RUN steps' /etc/hosts (repeatable, or comma-separated); IP host-gateway "
                        + "is the host, which RUN steps reach on loopback.")
                .build());
        spec.addOption(list("NAME=SOFT[:HARD]", "--ulimit")
                .converters(new FlagValueCheck(FlagValueCheck.Kind.ULIMIT))
                .description("A resource limit of RUN steps, e.g. nofile=1024:4096 (repeatable; capped at the host's "
                        + "hard limits).")
                .build());
        spec.addOption(option("SIZE", "--shm-size")
                .converters(new FlagValueCheck(FlagValueCheck.Kind.BYTES))
                .description("Size of RUN steps' /dev/shm (e.g. 128m; default 64m).")
                .build());
        spec.addOption(optionalFlag("load", "--load")
                .description("Accepted for docker buildx: the image is in wharf's local store anyway.")
                .build());
        spec.addOption(optionalFlag("removeContainers", "--rm").hidden(true)
                .description("Accepted for the legacy docker build: wharf leaves no intermediate containers.")
                .build());
        spec.addOption(optionalFlag("forceRemoveContainers", "--force-rm").hidden(true)
                .description("Accepted for the legacy docker build: wharf leaves no intermediate containers.")
                .build());
        // Single values, the last one given counting (buildx's StringVar), not lists: --sbom=x --sbom=false is false.
        spec.addOption(option("VALUE", "--provenance")
                .description("Accepted for docker buildx: false is what wharf does; wharf makes no attestations, so "
                        + "other values are ignored with a warning (one buildx refuses fails the build).")
                .build());
        spec.addOption(option("VALUE", "--sbom")
                .description("Accepted for docker buildx: false is what wharf does; wharf makes no attestations, so "
                        + "other values are ignored with a warning (one buildx refuses fails the build).")
                .build());
        spec.addOption(list("type=TYPE[,...]", "--attest")
                .description("Accepted for docker buildx: wharf makes no attestations, so it is ignored with a "
                        + "warning unless disabled=true (a type other than sbom or provenance fails the build).")
                .build());
        spec.addOption(optionalFlag("compress", "--compress").hidden(true)
                .description("Accepted for the legacy docker build: the context is never sent anywhere.")
                .build());
        spec.addOption(option("VALUE", "--isolation").hidden(true)
                .description("Accepted for docker buildx, with its deprecation warning.")
                .build());
        spec.addOption(optionalFlag("squash", "--squash").hidden(true)
                .description("Accepted for docker buildx, with its removal warning; nothing is squashed.")
                .build());
        spec.addMixin(StoreOptions.MIXIN, StoreOptions.mixin());
        spec.addMixin(RegistryFlags.MIXIN, RegistryFlags.mixin());
        spec.addOption(list("NAME=VALUE", "--build-context")
                .description("A named context FROM, COPY --from and RUN --mount=from use instead of a stage or image "
                        + "of that name: a directory, docker-image://REF, oci-layout://DIR[:TAG|@DIGEST], a git URL "
                        + "or an http(s) URL (repeatable).")
                .build());
        spec.addPositional(positional("0", "CONTEXT")
                .description("The build context: a directory, '-' (a tar archive on standard input, or a Dockerfile "
                        + "alone), a tarball's path or http(s) URL, or a git URL (https://host/repo.git#ref:subdir, "
                        + "git@host:repo.git, git://host/repo).")
                .build());
        return withStandardHelp(spec);
    }

    /** Puts the values {@code spec} parsed (or its defaults) into {@code command}'s fields. */
    static void read(CommandSpec spec, BuildCommand command) {
        command.file = value(spec, "--file");
        command.tags = value(spec, "--tag");
        command.buildArgs = value(spec, "--build-arg");
        command.target = value(spec, "--target");
        command.noCache = value(spec, "--no-cache");
        command.noCacheFilter = value(spec, "--no-cache-filter");
        command.progress = value(spec, "--progress");
        command.quiet = value(spec, "--quiet");
        command.labels = value(spec, "--label");
        command.annotations = value(spec, "--annotation");
        command.platform = value(spec, "--platform");
        command.metadataFile = value(spec, "--metadata-file");
        command.outputs = value(spec, "--output");
        command.secrets = value(spec, "--secret");
        command.ssh = value(spec, "--ssh");
        command.securityOpts = value(spec, "--security-opt");
        command.network = value(spec, "--network");
        command.allow = value(spec, "--allow");
        command.cacheFrom = value(spec, "--cache-from");
        command.cacheTo = value(spec, "--cache-to");
        command.memory = value(spec, "--memory");
        command.cpus = value(spec, "--cpus");
        command.resources = value(spec, "--resource");
        command.cpuQuota = value(spec, "--cpu-quota");
        command.cpuPeriod = value(spec, "--cpu-period");
        command.pidsLimit = value(spec, "--pids-limit");
        command.explainCache = value(spec, "--explain-cache");
        command.check = value(spec, "--check");
        command.call = value(spec, "--call");
        command.iidFile = value(spec, "--iidfile");
        command.pull = value(spec, "--pull");
        command.push = value(spec, "--push");
        command.addHosts = value(spec, "--add-host");
        command.ulimits = value(spec, "--ulimit");
        command.shmSize = value(spec, "--shm-size");
        command.provenance = value(spec, "--provenance");
        command.sbom = value(spec, "--sbom");
        command.attests = value(spec, "--attest");
        command.isolation = value(spec, "--isolation");
        command.squash = value(spec, "--squash");
        command.store = StoreOptions.of(spec);
        command.registry = RegistryFlags.of(spec);
        command.buildContexts = value(spec, "--build-context");
        command.context = positionalValue(spec, 0);
    }
}
