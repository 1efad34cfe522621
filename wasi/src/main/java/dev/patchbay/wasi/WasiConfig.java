/*
 * What a WASI command sees of the world: its argv, its environment and its three stdio
 * streams. Nothing else is reachable: there are no preopened directories, so a guest cannot
 * name a host file. Built once, read by any number of WasiPreview1 instances.
 */
package dev.patchbay.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments, environment and standard streams of a WASI guest. Immutable; built with
 * {@link #builder()}.
 */
public final class WasiConfig {
    final List<byte[]> args;
    final List<byte[]> env;
    final InputStream stdin;
    final OutputStream stdout;
    final OutputStream stderr;

    private WasiConfig(Builder b) {
        this.args = List.copyOf(b.args);
        this.env = List.copyOf(b.env);
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
    }

    /**
     * A builder with no arguments, no environment, an empty stdin and discarded output.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link WasiConfig}. */
    public static final class Builder {
        private final List<byte[]> args = new ArrayList<>();
        private final List<byte[]> env = new ArrayList<>();
        private InputStream stdin = InputStream.nullInputStream();
        private OutputStream stdout = OutputStream.nullOutputStream();
        private OutputStream stderr = OutputStream.nullOutputStream();

        private Builder() {}

        /**
         * Sets argv, program name first (argv[0]).
         *
         * @param argv the arguments; none may contain a NUL character
         * @return this builder
         * @throws IllegalArgumentException if an argument contains NUL
         */
        public Builder args(List<String> argv) {
            args.clear();
            for (String a : argv) args.add(cString("argument", a));
            return this;
        }

        /**
         * Adds an environment variable.
         *
         * @param name its name, neither empty nor containing '=' or NUL
         * @param value its value, without NUL
         * @return this builder
         * @throws IllegalArgumentException if the name or value is not allowed
         */
        public Builder env(String name, String value) {
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("environment variable name '" + name + "' is empty or contains '='");
            }
            env.add(cString("environment variable", name + "=" + value));
            return this;
        }

        /**
         * Adds every variable of a map, in its iteration order.
         *
         * @param vars the variables, as for {@link #env(String, String)}
         * @return this builder
         */
        public Builder env(Map<String, String> vars) {
            vars.forEach(this::env);
            return this;
        }

        /**
         * Sets the guest's stdin (fd 0).
         *
         * @param in the stream
         * @return this builder
         */
        public Builder stdin(InputStream in) {
            stdin = Objects.requireNonNull(in, "stdin");
            return this;
        }

        /**
         * Sets the guest's stdout (fd 1). Every fd_write is flushed before it returns.
         *
         * @param out the stream
         * @return this builder
         */
        public Builder stdout(OutputStream out) {
            stdout = Objects.requireNonNull(out, "stdout");
            return this;
        }

        /**
         * Sets the guest's stderr (fd 2). Every fd_write is flushed before it returns.
         *
         * @param out the stream
         * @return this builder
         */
        public Builder stderr(OutputStream out) {
            stderr = Objects.requireNonNull(out, "stderr");
            return this;
        }

        /**
         * Gives the guest this process's stdin, stdout and stderr.
         *
         * @return this builder
         */
        public Builder inheritStdio() {
            return stdin(System.in).stdout(System.out).stderr(System.err);
        }

        /**
         * Builds the configuration.
         *
         * @return the immutable configuration
         */
        public WasiConfig build() {
            return new WasiConfig(this);
        }

        private static byte[] cString(String what, String s) {
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL character: " + s.replace("\0", "\\0"));
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
