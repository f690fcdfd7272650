/**
 * Running one RUN step's process in isolation: the {@link dev.wharf.builder.sandbox.Sandbox} seam and its
 * implementations, in the terms of BuildKit's {@code executor} package.
 *
 * <ul>
 *   <li>Values: {@link dev.wharf.builder.sandbox.SandboxSpec} (what to run, as BuildKit's {@code executor.Meta} plus
 *       the root filesystem mounts), {@link dev.wharf.builder.sandbox.ProcessUser},
 *       {@link dev.wharf.builder.sandbox.SandboxMount}, {@link dev.wharf.builder.sandbox.ExitStatus},
 *       {@link dev.wharf.builder.sandbox.OciSpec}.</li>
 *   <li>Pure functions: {@link dev.wharf.builder.sandbox.OciSpecFactory} (the {@code config.json}),
 *       {@link dev.wharf.builder.sandbox.UserResolver} (USER through {@code /etc/passwd} and {@code /etc/group}),
 *       {@link dev.wharf.builder.sandbox.SandboxSelector#decide} ({@code --runtime}),
 *       {@link dev.wharf.builder.sandbox.SeccompProfile} (Docker's default profile for the host),
 *       {@link dev.wharf.builder.sandbox.ResolvConf} (BuildKit's {@code /etc/resolv.conf}),
 *       {@link dev.wharf.builder.sandbox.UserNamespaces} (how a non-root user enters a user namespace).</li>
 *   <li>Implementations: {@link dev.wharf.builder.sandbox.OciRuntimeSandbox} (runc, crun) and
 *       {@link dev.wharf.builder.sandbox.UnshareSandbox} (util-linux only), both set up by the native helper
 *       {@code wharf-sandbox} (compiled from {@code src/main/c} when the build has gcc) in one process, else by
 *       util-linux and a shell script. Both mount the root filesystem inside
 *       their own mount namespace and run as PID 1 of their own PID namespace under a parent-death signal, so
 *       cancelling, a crash or {@code kill -9} of the JVM leaves no mount on the host and no process behind. Both
 *       also run rootless, as uid 0 of a user namespace. {@link dev.wharf.builder.sandbox.SshAgentProxy} forwards an
 *       ssh-agent into a step.</li>
 * </ul>
 *
 * <p>Package dependencies: this package uses {@code dev.wharf.builder.snapshot} (its {@code Mount} value and
 * {@code RootView}), {@code dev.wharf.builder.plan.IpAddresses}, wharf-layers' {@code PosixFiles} and Jackson;
 * nothing in {@code snapshot} uses this package.
 */
package dev.wharf.builder.sandbox;
