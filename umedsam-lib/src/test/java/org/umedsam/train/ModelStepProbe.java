package org.umedsam.train;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelOutput;

/** Time and resident memory of each model call in a training step (diagnostic, prints). */
@Tag("benchmark")
class ModelStepProbe {
    @Test
    void probe() throws Exception {
        String preset = System.getProperty("bench.preset", "small");
        boolean gc = Boolean.parseBoolean(System.getProperty("bench.gc", "true"));
        LiteMedSam m = LiteMedSamModel.create(preset, 1);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 256, 256);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{30, 40, 150, 160}, {10, 20, 200, 220}});
        boolean decoderOnly = Boolean.parseBoolean(System.getProperty("bench.decoderOnly", "false"));
        Set<String> all = decoderOnly ? m.parameterNames(org.umedsam.model.Component.MASK_DECODER)
                : new java.util.LinkedHashSet<>(m.parameters().keySet());
        INDArray emb = decoderOnly ? m.embed(images) : null;
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            ModelOutput out = decoderOnly ? m.forwardFromEmbedding(emb, boxes) : m.forward(images, boxes, true);
            long t1 = System.nanoTime();
            print("forward", i, t1 - t0);
            INDArray gl = Nd4j.rand(DataType.FLOAT, 2, 1, 256, 256).muli(1e-5);
            INDArray gi = Nd4j.rand(DataType.FLOAT, 2, 1);
            Map<String, INDArray> g = decoderOnly ? m.gradientsFromEmbedding(emb, boxes, gl, gi, all)
                    : m.gradients(images, boxes, gl, gi, true, all);
            long t2 = System.nanoTime();
            print("gradients(" + g.size() + ")", i, t2 - t1);
            if (gc) {
                System.gc();
                print("after gc", i, 0);
            }
        }
    }

    static void print(String what, int i, long nanos) throws Exception {
        String rss = "?";
        String hwm = "?";
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS")) {
                rss = line.substring(6).trim();
            }
            if (line.startsWith("VmHWM")) {
                hwm = line.substring(6).trim();
            }
        }
        System.out.printf("PROBE %s #%d: %.2f s, RSS %s, HWM %s%n", what, i, nanos / 1e9, rss, hwm);
        System.out.flush();
    }
}
