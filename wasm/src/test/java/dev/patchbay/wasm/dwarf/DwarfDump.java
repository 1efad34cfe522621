/*
 * llvm-dwarfdump --debug-line's text, parsed into what LineTableTest compares: each row's
 * address, line, column, file name (the header's name for the row's file index), is_stmt
 * and end_sequence. The dumps are committed beside their .wasm files, so the tests need no
 * LLVM installed.
 */
package dev.patchbay.wasm.dwarf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class DwarfDump {
    record Row(long address, int line, int column, String fileName, boolean isStmt, boolean endSequence) {}

    private static final Pattern ROW = Pattern.compile("^0x([0-9a-f]{16})\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*(.*)$");
    private static final Pattern FILE = Pattern.compile("^file_names\\[\\s*(\\d+)\\]:$");
    private static final Pattern NAME = Pattern.compile("^\\s*name: \"(.*)\"$");

    private DwarfDump() {}

    static List<Row> rows(String text) {
        List<Row> out = new ArrayList<>();
        Map<Integer, String> files = new HashMap<>();
        int pendingFile = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("debug_line[")) {
                files.clear();
                continue;
            }
            Matcher f = FILE.matcher(line);
            if (f.matches()) {
                pendingFile = Integer.parseInt(f.group(1));
                continue;
            }
            Matcher n = NAME.matcher(line);
            if (n.matches() && pendingFile >= 0) {
                String name = n.group(1);
                files.put(pendingFile, name.substring(name.lastIndexOf('/') + 1));
                pendingFile = -1;
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (r.matches()) {
                String flags = r.group(7);
                String file = files.get(Integer.parseInt(r.group(4)));
                if (file == null) throw new IllegalStateException("dump row names file " + r.group(4) + " its header does not list: " + line);
                out.add(new Row(Long.parseLong(r.group(1), 16), Integer.parseInt(r.group(2)), Integer.parseInt(r.group(3)),
                    file, flags.contains("is_stmt"), flags.contains("end_sequence")));
            }
        }
        return out;
    }
}
