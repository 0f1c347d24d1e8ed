package org.umedsam.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitialWeightsTest {

    private static LiteMedSam source() {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 1L);
        a.parameters().get("mask_decoder.iou_token.weight").addi(0.5);
        a.buffers().values().stream().filter(b -> b.dataType().isFPType()).findFirst().orElseThrow().addi(0.25);
        return a;
    }

    /** {@code model} written as a umedsam model file {@code stem.npz} and as a {@code stem.pth} export, in that order. */
    private static Path[] savedBothWays(LiteMedSam model, Path dir, String stem) throws IOException {
        Path own = dir.resolve(stem + ".npz");
        model.save(own);
        Path pth = dir.resolve(stem + ".pth");
        model.exportPth(pth);
        return new Path[]{own, pth};
    }

    @Test
    void startsFromAModelFileAndFromAPthExport(@TempDir Path dir) throws IOException {
        LiteMedSam a = source();
        for (Path file : savedBothWays(a, dir, "model")) {
            LiteMedSamModel b = new LiteMedSamModel(LiteMedSam.create(ModelConfig.small(), 2L), true);
            assertThat(b.model().stateDict().get("mask_decoder.iou_token.weight"))
                    .isNotEqualTo(a.stateDict().get("mask_decoder.iou_token.weight"));
            InitialWeights.load(b, file);
            for (Map.Entry<String, INDArray> e : a.stateDict().entrySet()) {
                assertThat(b.model().stateDict().get(e.getKey())).as(file + " " + e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void startsFromATrainingCheckpoint(@TempDir Path dir) throws IOException {
        LiteMedSam a = source();
        Path ckpt = dir.resolve("last.ckpt");
        new Checkpoint(a.parameters(), a.buffers(), Map.of(), new double[]{0.0},
                new Checkpoint.Meta(3, 0, 3, 1.0, 1.0, 0.0, Map.of(), "{}")).write(ckpt);
        LiteMedSamModel b = new LiteMedSamModel(LiteMedSam.create(ModelConfig.small(), 2L), true);
        InitialWeights.load(b, ckpt);
        for (Map.Entry<String, INDArray> e : a.stateDict().entrySet()) {
            INDArray got = b.model().stateDict().get(e.getKey());
            assertThat(got.shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
            assertThat(got).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void strictLoadingNamesTheFileAndTheKey(@TempDir Path dir) {
        LiteMedSamModel b = new LiteMedSamModel(LiteMedSam.create(ModelConfig.small(), 2L), true);
        Map<String, INDArray> weights = new LinkedHashMap<>(source().stateDict());
        weights.remove("mask_decoder.iou_token.weight");
        assertThatThrownBy(() -> InitialWeights.apply(b, weights, "w.pth"))
                .hasMessageContaining("w.pth").hasMessageContaining("1 missing keys (first: mask_decoder.iou_token.weight)");
        weights.put("mask_decoder.iou_token.weight", Nd4j.zeros(DataType.FLOAT, 3, 3));
        assertThatThrownBy(() -> InitialWeights.apply(b, weights, "w.pth"))
                .hasMessageContaining("mask_decoder.iou_token.weight has shape [3, 3]");
        weights.put("mask_decoder.iou_token.weight", source().stateDict().get("mask_decoder.iou_token.weight"));
        weights.put("extra.weight", Nd4j.zeros(DataType.FLOAT, 1));
        assertThatThrownBy(() -> InitialWeights.apply(b, weights, "w.pth"))
                .hasMessageContaining("1 unexpected keys (first: extra.weight)");
        assertThatThrownBy(() -> InitialWeights.read(dir.resolve("nope.pth")))
                .isInstanceOf(IOException.class).hasMessageContaining("nope.pth: initial weights file does not exist");
    }

    @Test
    void weightsOfAnotherPresetSayWhichPresetInOneShortLine(@TempDir Path dir) throws IOException {
        for (Path file : savedBothWays(source(), dir, "small")) {
            LiteMedSamModel tiny = new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L), false);
            assertThatThrownBy(() -> InitialWeights.load(tiny, file)).as(file.toString())
                    .hasMessageStartingWith(file + ": these are small weights; pass --preset small")
                    .hasMessageNotContaining(";  ")
                    .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
        }
        // the .pth is refused by its shape check before it is read: the line gives that check's count and first;
        // the model file is read, then refused by apply, whose message follows without the file's name
        String hint = ": these are small weights; pass --preset small (or set modelPreset) to start from them (";
        LiteMedSamModel tiny = new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L), false);
        Path pth = dir.resolve("small.pth");
        assertThatThrownBy(() -> InitialWeights.load(tiny, pth)).hasMessage(pth + hint + "276 problem(s), first: key"
                + " 'image_encoder.patch_embed.seq.0.c.weight' has shape [16, 3, 1, 1], the model expects [4, 3, 1, 1])");
        Path own = dir.resolve("small.npz");
        assertThatThrownBy(() -> InitialWeights.load(tiny, own)).hasMessage(own + hint + "initial weights do not fit the model:"
                + " 19 unexpected keys (first: image_encoder.layers.2.blocks.1.attn.attention_biases) - is it a checkpoint"
                + " of another model preset?)");
    }

    @Test
    void refusedInitialWeightsLeaveNoRunFolder(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.pth");
        java.nio.file.Files.write(bad, new byte[] {'P', 'K', 3, 4, 0});
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "refused", "epochs", 1, "sam", false,
                "initialWeights", bad.toString()));
        Path runs = dir.resolve("runs");
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L),
                false), LiteMedSamModelTest.data(2, 1), null, runs, Trainer.Options.quiet()))
                .isInstanceOf(IOException.class).hasMessageContaining("bad.pth");
        assertThat(runs.resolve("refused")).doesNotExist();
    }

    @Test
    void configKeyDefaultsToARandomStartAndReadsFromJson() {
        assertThat(TrainConfig.defaults().initialWeights()).isEmpty();
        TrainConfig c = TrainConfig.fromJson("{\"initialWeights\": \"/x/lite_medsam.pth\"}", "t.json");
        assertThat(c.initialWeights()).isEqualTo("/x/lite_medsam.pth");
    }
}
