package org.umedsam.model.samediff;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.BoxesPerImage;
import org.umedsam.model.Component;
import org.umedsam.model.Engine;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;
import org.umedsam.model.Prediction;

/**
 * The reference engine: LiteMedSAM as SameDiff graphs over the model's live arrays, numerically matching the
 * upstream PyTorch model (bowang-lab/MedSAM, branch LiteMedSAM), in float32 or float64, with gradients of any
 * trainable parameter and every intermediate ({@link #trace}).
 *
 * <p><b>Graphs.</b> Built lazily and cached: the encoder in evaluation mode, the prompt encoder + mask decoder
 * from an embedding placeholder (no BatchNorm, so one graph serves training and evaluation), and the full model
 * in training mode and in evaluation mode for gradients. The graphs hold the model's arrays themselves, so
 * in-place updates are seen by the next pass without any announcement. Gradients are those of the surrogate
 * {@code sum(logits * gradLogits) + sum(iou * gradIou)} whose two weights are placeholders: losses are computed
 * outside, in plain Java, and hand back dLoss/dLogits and dLoss/dIou.
 *
 * <p><b>Memory.</b> SameDiff allocates fresh native buffers for every pass (released when the Java GC runs);
 * every {@value #GC_EVERY} passes this engine calls {@code System.gc()} ({@link GcCounter}), which keeps resident
 * memory bounded.
 *
 * <p>Not thread-safe, as its model.
 */
public final class SameDiffEngine implements Engine {

    static final int GC_EVERY = 10;

    /** Registers this engine for {@link java.util.ServiceLoader}. */
    public static final class Provider implements Engine.Provider {
        @Override
        public Kind kind() {
            return Kind.SAMEDIFF;
        }

        @Override
        public Engine create(LiteMedSam model) {
            return new SameDiffEngine(model);
        }
    }

    private enum GraphKind { ENCODER_EVAL, DECODER, FULL_TRAIN, FULL_EVAL }

    private record Graph(Net net, String logits, String iou) {
    }

    private final LiteMedSam model;
    private final ModelConfig config;
    private final Map<GraphKind, Graph> graphs = new EnumMap<>(GraphKind.class);
    private final GcCounter gc = new GcCounter(GC_EVERY);
    private final List<Listener> listeners = new ArrayList<>();

    public SameDiffEngine(LiteMedSam model) {
        this.model = model;
        this.config = model.config();
    }

    @Override
    public Kind kind() {
        return Kind.SAMEDIFF;
    }

    /** Attaches SameDiff listeners (e.g. an op profiler) to every graph, present and future; none to clear. */
    public void setListeners(Listener... ls) {
        listeners.clear();
        listeners.addAll(List.of(ls));
        for (Graph g : graphs.values()) {
            g.net().sd.setListeners(listeners);
        }
    }

    private Graph graph(GraphKind kind) {
        return graphs.computeIfAbsent(kind, k -> {
            Graph g = build(k);
            if (!listeners.isEmpty()) {
                g.net().sd.setListeners(listeners);
            }
            return g;
        });
    }

    private Graph build(GraphKind kind) {
        boolean train = kind == GraphKind.FULL_TRAIN;
        Net n = new Net(config, train, model.dataType(), model.state(), model.parameters().keySet());
        int s = config.imageSize();
        int e = config.promptEmbedDim();
        int g = config.embeddingSize();
        SDVariable embedding;
        if (kind == GraphKind.DECODER) {
            embedding = n.sd.placeHolder("embedding", model.dataType(), -1, e, g, g);
        } else {
            SDVariable images = n.sd.placeHolder("images", model.dataType(), -1, 3, s, s);
            ImageEncoder.Outputs enc = ImageEncoder.build(n, images);
            for (int i = 0; i < 4; i++) {
                enc.stages()[i].rename("encoder_layer" + i);
            }
            embedding = enc.embedding().rename("image_embedding");
            if (kind == GraphKind.ENCODER_EVAL) {
                return new Graph(n, null, null);
            }
        }
        SDVariable boxes = n.sd.placeHolder("boxes", model.dataType(), -1, 4);
        SDVariable sparse = PromptEncoder.sparse(n, boxes).rename("sparse_embedding");
        SDVariable densePe = PromptEncoder.densePeTokens(n);
        n.tokensToNchw(densePe, e, g, g).rename("dense_pe");
        SDVariable[] md = MaskDecoder.build(n, embedding, sparse, 2, densePe);
        md[0].rename("masks_all");
        md[1].rename("iou_all");
        SDVariable logits = n.slice(md[0], 4, 1, 0, 1).rename("logits");
        SDVariable iou = n.slice(md[1], 2, 1, 0, 1).rename("iou");
        SDVariable gl = n.sd.placeHolder("grad_logits", model.dataType(), -1, 1, config.maskSize(), config.maskSize());
        SDVariable gi = n.sd.placeHolder("grad_iou", model.dataType(), -1, 1);
        logits.mul(gl).sum().add(iou.mul(gi).sum()).rename("surrogate");
        n.sd.setLossVariables("surrogate");
        return new Graph(n, logits.name(), iou.name());
    }

    @Override
    public INDArray embed(INDArray images) {
        INDArray out = graph(GraphKind.ENCODER_EVAL).net().sd.output(Map.of("images", images), "image_embedding")
                .get("image_embedding");
        gc.count();
        return out;
    }

    @Override
    public Prediction decode(INDArray embedding, INDArray boxes, boolean multimask) {
        long nBoxes = boxes.size(0);
        INDArray emb = nBoxes == 1 ? embedding : embedding.repeat(0, nBoxes);
        Map<String, INDArray> out = graph(GraphKind.DECODER).net().sd.output(
                Map.of("embedding", emb, "boxes", boxes), "masks_all", "iou_all");
        gc.count();
        INDArray masks = out.get("masks_all");
        INDArray iou = out.get("iou_all");
        int tokens = config.numMultimaskOutputs() + 1;
        if (multimask) {
            return new Prediction(masks.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup(),
                    iou.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        }
        return new Prediction(masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(),
                iou.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
    }

    /** The graphs hold the live arrays: there is nothing to keep per weight version. */
    @Override
    public Prediction decodeAtWeightVersion(INDArray embedding, INDArray boxes, boolean multimask) {
        return decode(embedding, boxes, multimask);
    }

    @Override
    public Pass forward(INDArray images, INDArray boxes, Mode mode) {
        // one box per image in the graphs: an image with K boxes is repeated K times (same outputs, summed gradients)
        images = BoxesPerImage.repeatRows(images, BoxesPerImage.of(images, boxes));
        GraphKind kind = mode == Mode.TRAINING ? GraphKind.FULL_TRAIN : GraphKind.FULL_EVAL;
        return new GraphPass(kind, Map.of("images", images, "boxes", boxes), images.size(0), false);
    }

    @Override
    public Pass forwardFromEmbedding(INDArray embedding, INDArray boxes) {
        return new GraphPass(GraphKind.DECODER, Map.of("embedding", embedding, "boxes", boxes), embedding.size(0),
                true);
    }

    /**
     * A pass of one graph: its output is computed when first asked for (a trainer that only wants gradients pays
     * one graph run, as SameDiff's gradient computation runs the forward pass itself).
     */
    private final class GraphPass implements Pass {
        private final GraphKind kind;
        private final Map<String, INDArray> inputs;
        private final long batch;
        private final boolean decoderOnly;
        private ModelOutput output;

        GraphPass(GraphKind kind, Map<String, INDArray> inputs, long batch, boolean decoderOnly) {
            this.kind = kind;
            this.inputs = inputs;
            this.batch = batch;
            this.decoderOnly = decoderOnly;
        }

        @Override
        public ModelOutput output() {
            if (output == null) {
                output = run();
            }
            return output;
        }

        private ModelOutput run() {
            if (kind == GraphKind.FULL_EVAL) {
                // evaluation outputs as inference computes them: the encoder graph, then the decoder graph
                return new GraphPass(GraphKind.DECODER, Map.of("embedding", embed(inputs.get("images")),
                        "boxes", inputs.get("boxes")), batch, true).output();
            }
            Graph gr = graph(kind);
            List<String> names = new ArrayList<>(List.of(gr.logits(), gr.iou()));
            boolean stats = kind == GraphKind.FULL_TRAIN;
            if (stats) {
                for (Net.BnStat st : gr.net().bnStats) {
                    names.add(st.meanName());
                    names.add(st.varName());
                }
            }
            Map<String, INDArray> out = gr.net().sd.output(inputs, names);
            gc.count();
            List<ModelOutput.BatchNormStatistics> bn = new ArrayList<>();
            if (stats) {
                for (Net.BnStat st : gr.net().bnStats) {
                    bn.add(new ModelOutput.BatchNormStatistics(st.prefix(), out.get(st.meanName()),
                            out.get(st.varName()), batch * st.spatial()));
                }
            }
            return new ModelOutput(out.get(gr.logits()), out.get(gr.iou()), List.copyOf(bn));
        }

        @Override
        public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
            Graph gr = graph(kind);
            Set<String> trainable = model.parameters().keySet();
            List<String> ask = new ArrayList<>();
            for (String k : wrt) {
                if (!trainable.contains(k)) {
                    throw new IllegalArgumentException("not a trainable parameter: " + k);
                }
                if (decoderOnly && Component.of(k) == Component.IMAGE_ENCODER) {
                    throw new IllegalArgumentException(
                            "decoder-only pass has no gradient for image-encoder parameter " + k);
                }
                if (gr.net().used.contains(k)) {
                    ask.add(k);
                }
            }
            Map<String, INDArray> ph = new LinkedHashMap<>(inputs);
            ph.put("grad_logits", gradLogits);
            ph.put("grad_iou", gradIou);
            Map<String, INDArray> grads = ask.isEmpty() ? Map.of() : gr.net().sd.calculateGradients(ph, ask);
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String k : wrt) {
                INDArray gk = grads.get(k);
                out.put(k, gk != null ? gk : Nd4j.zeros(model.dataType(), model.state().get(k).shape()));
            }
            gc.count();
            return out;
        }
    }

    @Override
    public Map<String, INDArray> trace(INDArray images, INDArray boxes) {
        Map<String, INDArray> out = new LinkedHashMap<>(graph(GraphKind.ENCODER_EVAL).net().sd.output(
                Map.of("images", images), "encoder_layer0", "encoder_layer1", "encoder_layer2", "encoder_layer3",
                "image_embedding"));
        Map<String, INDArray> dec = graph(GraphKind.DECODER).net().sd.output(
                Map.of("embedding", out.get("image_embedding"), "boxes", boxes), "dense_pe", "sparse_embedding",
                "masks_all", "iou_all");
        out.put("dense_pe", dec.get("dense_pe"));
        out.put("sparse_embedding", dec.get("sparse_embedding"));
        int tokens = config.numMultimaskOutputs() + 1;
        INDArray masks = dec.get("masks_all");
        INDArray iou = dec.get("iou_all");
        out.put("low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
        out.put("iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
        out.put("multimask_low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        out.put("multimask_iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        return out;
    }
}
