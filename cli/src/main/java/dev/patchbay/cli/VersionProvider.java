/*
 * `patchbay --version` prints the version Maven built, not a string kept by hand next to it.
 * The build filters version.properties with the project version; a jar without it (an IDE
 * run off unfiltered resources) falls back to the manifest's Implementation-Version.
 */
package dev.patchbay.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Supplies picocli's {@code --version} text from the build's project version. */
final class VersionProvider implements IVersionProvider {
    /** The project version this CLI was built from, or {@code "unknown"}. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) return v;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    @Override public String[] getVersion() {
        return new String[] {"patchbay " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
