package org.umedsam.model.onnx;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.io.AtomicFiles;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.cpu.StateDictWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Exports a LiteMedSAM model (any preset, its current weights) as the two ONNX models that SAM deployments
 * run: the image encoder, once per image, and the prompt encoder + mask decoder, once per set of boxes on
 * that image.
 *
 * <ul>
 *   <li>{@value #ENCODER_FILE}: {@code image [1, 3, S, S] -> image_embeddings [1, E, S/4, S/4]}
 *       (LiteMedSAM: {@code [1, 3, 256, 256] -> [1, 256, 64, 64]}); the image preprocessed as for
 *       {@code LiteMedSam.embed} (longest side resized to S, min-max normalised to [0, 1], zero-padded).</li>
 *   <li>{@value #DECODER_FILE}: {@code image_embeddings [1, E, S/4, S/4]}, {@code boxes [num_boxes, 4]}
 *       (x0 y0 x1 y1 in the S x S frame; {@code num_boxes} dynamic) {@code -> low_res_masks
 *       [num_boxes, 1, S, S]} (logits, as {@code LiteMedSam.decode(.., false)}), {@code iou_predictions
 *       [num_boxes, 1]}.</li>
 * </ul>
 * ONNX opset 17 (IR version 8), float32, evaluation mode with BatchNorm folded into the convolutions; written
 * with ONNX's protobuf schema. ONNX Runtime 1.12 or later runs both.
 */
public final class OnnxExport {

    /** The image encoder's file name in the output folder. */
    public static final String ENCODER_FILE = "image_encoder.onnx";
    /** The prompt encoder + mask decoder's file name in the output folder. */
    public static final String DECODER_FILE = "mask_decoder.onnx";
    /** Encoder input. */
    public static final String IMAGE = "image";
    /** Encoder output and decoder input. */
    public static final String IMAGE_EMBEDDINGS = "image_embeddings";
    /** Decoder input. */
    public static final String BOXES = "boxes";
    /** Decoder output: mask logits. */
    public static final String LOW_RES_MASKS = "low_res_masks";
    /** Decoder output: predicted IoU. */
    public static final String IOU_PREDICTIONS = "iou_predictions";
    /** The name of the dynamic box-count dimension. */
    public static final String NUM_BOXES = "num_boxes";

    private OnnxExport() {
    }

    /** The two files written by {@link #write}. */
    public record Exported(Path encoder, Path decoder) {
    }

    /** The serialized image encoder model ({@value #ENCODER_FILE}) at the model's current weights. */
    public static byte[] encoder(LiteMedSam model) {
        return EncoderExport.build(model.config(), weights(model)).toByteArray();
    }

    /** The serialized prompt encoder + mask decoder model ({@value #DECODER_FILE}) at the model's current weights. */
    public static byte[] decoder(LiteMedSam model) {
        return DecoderExport.build(model.config(), weights(model)).toByteArray();
    }

    /**
     * Writes {@value #ENCODER_FILE} and {@value #DECODER_FILE} into {@code dir} (created when absent). Each file
     * is written beside its target and then moved into place, so an existing file is replaced whole or not at all.
     */
    public static Exported write(LiteMedSam model, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": exists and is not a folder");
        }
        Files.createDirectories(dir);
        Path enc = dir.resolve(ENCODER_FILE);
        Path dec = dir.resolve(DECODER_FILE);
        AtomicFiles.write(enc, encoder(model));
        AtomicFiles.write(dec, decoder(model));
        return new Exported(enc, dec);
    }

    private static StateDictWeights weights(LiteMedSam model) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        Map<String, INDArray> live = new java.util.LinkedHashMap<>(model.parameters());
        live.putAll(model.buffers());
        return new StateDictWeights(live);
    }
}
