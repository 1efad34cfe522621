/*
 * For hang reports only: a Store's private epoch and patch state, read by reflection,
 * so a stuck guest comes with what the runtime thought was going on.
 */
package dev.patchbay.stress;

import dev.patchbay.Instance;
import dev.patchbay.Store;
import dev.patchbay.codegen.machinst.PatchSite;

import java.lang.reflect.Field;
import java.util.List;

final class Internals {
    private Internals() {}

    static Object field(Object o, String name) {
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            return "<" + name + ": " + e + ">";
        }
    }

    static String describe(Store store) {
        StringBuilder sb = new StringBuilder("store:");
        for (String f : new String[] {"activeCall", "interruptFor", "requestedGen", "appliedGen", "epochDeadline", "savedFuel", "yielded", "patching"}) {
            sb.append(' ').append(f).append('=').append(field(store, f));
        }
        sb.append(" epoch=").append(store.engine().currentEpoch()).append('\n');
        Object tables = field(store, "siteTables");
        if (tables instanceof List) {
            for (Object t : (List<?>) tables) {
                Instance inst = (Instance) field(t, "instance");
                boolean[] d = (boolean[]) field(t, "desired"), c = (boolean[]) field(t, "current"), a = (boolean[]) field(t, "armed");
                for (PatchSite s : inst.module().compiled().patchSites) {
                    String fn = inst.module().compiled().functionAt(s.offset).name;
                    byte[] now = inst.codeBytes(s.offset, s.length);
                    if (d[s.id] || c[s.id] || a[s.id] || (now[0] & 0xFF) == 0xCC) {
                        sb.append(String.format("  %s site %d %s %%%s desired=%b current=%b armed=%b bytes=%s%n", inst.module().compiled()
                            .functions.get(0).name, s.id, s.kind, fn, d[s.id], c[s.id], a[s.id], Guests.hex(now)));
                    }
                }
            }
        }
        return sb.toString();
    }
}
