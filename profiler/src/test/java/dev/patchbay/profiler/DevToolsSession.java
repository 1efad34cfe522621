/*
 * A headless Chromium driven through the DevTools protocol (CDP) over its WebSocket, for
 * what command-line flags cannot do: real key presses and typing into the page, then
 * reading the page's state back with Runtime.evaluate. Only what the browser tests need:
 * one page, commands sent one at a time, each answered by its id. The JSON is handled with
 * a few patterns, as the replies read here are flat.
 */
package dev.patchbay.profiler;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class DevToolsSession implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern PAGE_WS = Pattern.compile("\"type\"\\s*:\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"|\"webSocketDebuggerUrl\"\\s*:\\s*\"(ws://[^\"]+/page/[^\"]+)\"");
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");
    private static final Pattern VALUE = Pattern.compile("\"result\":\\{\"type\":\"(?:string|number|boolean)\",\"value\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)");

    private final Process browser;
    private final WebSocket ws;
    private final ConcurrentHashMap<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
    private int nextId = 1;

    private DevToolsSession(Process browser, WebSocket ws) {
        this.browser = browser;
        this.ws = ws;
    }

    /** Starts Chromium on `url` with a window of `width` x 400 and connects to its page. */
    static DevToolsSession open(Path chromium, Path profile, int width, String url) throws Exception {
        Process p = new ProcessBuilder(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile, "--window-size=" + width + ",400",
            "--remote-debugging-port=0", url)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String port = null;
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line; port == null && System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) port = m.group(1);
            }
            if (port == null) throw new IllegalStateException("chromium did not print its DevTools port");
            // Keep draining stderr so the browser never blocks on a full pipe.
            Thread drain = new Thread(() -> {
                try {
                    while (err.readLine() != null) { }
                } catch (Exception ignored) {
                }
            }, "chromium-stderr");
            drain.setDaemon(true);
            drain.start();
            HttpClient http = HttpClient.newHttpClient();
            String pageWs = null;
            while (pageWs == null && System.nanoTime() < deadline) {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = PAGE_WS.matcher(list);
                if (m.find()) pageWs = m.group(1) != null ? m.group(1) : m.group(2);
                else Thread.sleep(100);
            }
            if (pageWs == null) throw new IllegalStateException("chromium has no page target");
            DevToolsSession[] self = new DevToolsSession[1];
            StringBuilder partial = new StringBuilder();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
                @Override public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        String msg = partial.toString();
                        partial.setLength(0);
                        Matcher id = ID.matcher(msg);
                        if (id.find()) {
                            CompletableFuture<String> f = self[0].replies.remove(Integer.parseInt(id.group(1)));
                            if (f != null) f.complete(msg);
                        }
                    }
                    w.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new DevToolsSession(p, ws);
            return self[0];
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Sends one command and returns its reply (the whole JSON text). */
    synchronized String send(String method, String paramsJson) throws Exception {
        int id = nextId++;
        CompletableFuture<String> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ws.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true).get(30, TimeUnit.SECONDS);
        String r = reply.get(30, TimeUnit.SECONDS);
        if (r.contains("\"error\":")) throw new IllegalStateException(method + ": " + r);
        return r;
    }

    /** Evaluates a JavaScript expression in the page; returns its value as JSON text. */
    String eval(String expression) throws Exception {
        String r = send("Runtime.evaluate", "{\"expression\":" + quote(expression) + ",\"returnByValue\":true}");
        Matcher m = VALUE.matcher(r);
        if (!m.find()) throw new IllegalStateException("no value in " + r);
        String v = m.group(1);
        return v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\") : v;
    }

    /** Evaluates `condition` until it is true, for at most 30 s. */
    void await(String condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!eval("!!(" + condition + ")").equals("true")) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("never true: " + condition);
            Thread.sleep(50);
        }
    }

    /** Presses and releases one key with modifiers (CDP: Alt=1, Ctrl=2, Meta=4, Shift=8). */
    void press(String key, String code, int keyCode, int modifiers) throws Exception {
        for (String type : new String[] {"keyDown", "keyUp"}) {
            send("Input.dispatchKeyEvent", "{\"type\":\"" + type + "\",\"modifiers\":" + modifiers + ",\"key\":\"" + key
                + "\",\"code\":\"" + code + "\",\"windowsVirtualKeyCode\":" + keyCode + ",\"nativeVirtualKeyCode\":" + keyCode + "}");
        }
    }

    /** Types text into whatever has the focus, as an input method would commit it. */
    void type(String text) throws Exception { send("Input.insertText", "{\"text\":" + quote(text) + "}"); }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    @Override public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // The browser goes away below either way.
        }
        browser.destroy();
        try {
            if (!browser.waitFor(10, TimeUnit.SECONDS)) browser.destroyForcibly();
        } catch (InterruptedException e) {
            browser.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
