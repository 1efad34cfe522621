/*
 * The overhead chart for `patchbay bench --plot FILE.png|svg`: per kernel and for the
 * geometric mean, the percentage each way of making code interruptible adds over the
 * same code with no sites. Drawn with XChart (headless AWT); the format follows the
 * file's extension.
 */
package dev.patchbay.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class OverheadPlot {
    static final String[] MODES = {"none-again", "fused", "nop", "check", "poll", "fuel"};
    static final String[] LABELS = {"no sites again (A/A noise floor)", "Patchbay fused sites", "Patchbay 5-byte NOP sites",
        "Wasmtime-style check", "HotSpot-style poll", "Wasmtime-style fuel"};

    private OverheadPlot() {}

    @SuppressWarnings("unchecked")
    static void write(Map<String, Object> epoch, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!name.endsWith(".png") && !name.endsWith(".svg")) {
            throw new IllegalArgumentException("--plot needs a .png or .svg file name, got " + file);
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520)
            .title("Idle cost of interruptibility (% over no sites), " + epoch.get("date"))
            .xAxisTitle("kernel").yAxisTitle("overhead %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        List<String> kernels = new ArrayList<>();
        for (Object o : (List<Object>) epoch.get("kernels")) kernels.add((String) ((Map<String, Object>) o).get("name"));
        kernels.add("geomean");
        for (int m = 0; m < MODES.length; m++) {
            List<Double> ys = new ArrayList<>();
            for (Object o : (List<Object>) epoch.get("kernels")) {
                Map<String, Object> modes = (Map<String, Object>) ((Map<String, Object>) o).get("modes");
                ys.add(pct((Double) ((Map<String, Object>) modes.get(MODES[m])).get("ratio")));
            }
            ys.add(pct((Double) ((Map<String, Object>) epoch.get("geomean")).get(MODES[m])));
            chart.addSeries(LABELS[m], kernels, ys);
        }
        // Written to exactly this path by us (not by a file name the encoder completes), so
        // that every failure to write it reaches the caller as an IOException.
        if (name.endsWith(".png")) {
            Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } else {
            try (OutputStream out = Files.newOutputStream(file)) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            }
        }
    }

    private static double pct(double ratio) { return Math.round((ratio - 1) * 1000) / 10.0; }
}
