package org.umedsam.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.spencerpark.jupyter.kernel.magic.CellMagicParseContext;
import io.github.spencerpark.jupyter.kernel.magic.LineMagicArgs;
import io.github.spencerpark.jupyter.kernel.magic.MagicParser;

/**
 * IJava-style line magics: a line starting with {@code %name args...} runs the registered magic
 * (arguments split on blanks, quotes kept together) and is removed from the cell's code. Magics
 * run before the cell's Java code, in order.
 */
public final class LineMagics {
    /** One line magic: receives its arguments. */
    @FunctionalInterface
    public interface Magic {
        void run(List<String> args) throws Exception;
    }

    private final MagicParser parser = new MagicParser();
    private final Map<String, Magic> magics = new LinkedHashMap<>();

    public LineMagics register(String name, Magic magic) {
        magics.put(name, magic);
        return this;
    }

    public Set<String> names() {
        return magics.keySet();
    }

    /**
     * Runs the cell's line magics and returns its remaining Java code.
     *
     * @throws IllegalArgumentException for an unknown magic or a cell magic ({@code %%}), which this kernel lacks
     * @throws Exception whatever a magic throws
     */
    public String apply(String cell) throws Exception {
        CellMagicParseContext cellMagic = parser.parseCellMagic(cell);
        if (cellMagic != null) {
            throw new IllegalArgumentException("cell magic %%" + cellMagic.getMagicCall().getName()
                    + " is not supported; line magics: %" + String.join(", %", magics.keySet()));
        }
        Exception[] failure = new Exception[1];
        String code = parser.transformLineMagics(cell, context -> {
            if (failure[0] != null) {
                return "";
            }
            LineMagicArgs call = context.getMagicCall();
            Magic magic = magics.get(call.getName());
            try {
                if (magic == null) {
                    throw new IllegalArgumentException("unknown line magic %" + call.getName()
                            + "; known: %" + String.join(", %", magics.keySet()));
                }
                magic.run(call.getArgs());
            } catch (Exception e) {
                failure[0] = e;
            }
            return "";
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return code;
    }
}
