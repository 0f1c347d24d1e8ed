package org.umedsam.model.cpu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;
import org.umedsam.model.VectorSupport;

/**
 * What the CPU engine computes on a fixed input, for {@link CrossJdkTest} to compare between JDKs: the small preset's
 * embedding of one image and its masks and IoU for two boxes (inference), and a training pass's outputs and every
 * gradient ({@link LiteMedSamTrainingAgreementTest#medium()}, batch 2). {@link #main} writes them to a file in a
 * child JVM of another JDK; everything is seeded, so two JVMs compute the same inputs.
 */
final class CrossJdkOutputs {

    private CrossJdkOutputs() {
    }

    /** The outputs by name, in a fixed order. */
    static Map<String, float[]> compute() {
        Map<String, float[]> out = new LinkedHashMap<>();
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 5L);
        Nd4j.getRandom().setSeed(3);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{20, 30, 140, 200}, {60, 10, 250, 120}});
        INDArray embedding = m.embed(image);
        Prediction p = m.decode(embedding, boxes, false);
        out.put("inference.embedding", embedding.data().asFloat());
        out.put("inference.masks", p.masks().data().asFloat());
        out.put("inference.iou", p.iou().data().asFloat());

        Nd4j.getRandom().setSeed(41); // Case.of draws the running variances from the global generator
        LiteMedSamTrainingAgreementTest.Case k = LiteMedSamTrainingAgreementTest.Case.of(
                LiteMedSamTrainingAgreementTest.medium(), 2, 37L);
        LiteMedSamTraining t = LiteMedSamTraining.of(k.config(), k.floatState());
        LiteMedSamTraining.Pass pass = t.forward(k.images(), k.boxes(), true);
        Map<String, INDArray> gradients = t.backward(pass, k.gradLogits(), k.gradIou(), k.trainable());
        out.put("training.logits", pass.output().lowResLogits().data().asFloat());
        out.put("training.iou", pass.output().iou().data().asFloat());
        gradients.forEach((key, g) -> out.put("training.gradient." + key, g.data().asFloat()));
        return out;
    }

    /** {@code outputs} as an uncompressed {@code .npz} ({@link Npz}), one float32 array each, in order. */
    static void write(Map<String, float[]> outputs, Path file) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        outputs.forEach((name, v) -> arrays.put(name, NpyArray.ofFloat32(v, v.length)));
        Npz.write(file, arrays, false);
    }

    static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        Npz.read(file).forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    /** Writes {@link #compute()} to {@code args[0]} and prints this JVM's version and kernels. */
    public static void main(String[] args) throws IOException {
        write(compute(), Path.of(args[0]));
        System.out.println("java " + Runtime.version() + ", " + VectorSupport.describe());
        System.exit(0); // ND4J's non-daemon threads would keep the JVM alive
    }
}
