package org.umedsam.data;

/**
 * LiteMedSAM's image pre-processing, composed: grey repeated to 3 channels,
 * {@link ResizeLongestSide} (INTER_AREA), {@link Normalize} (min-max over the resized image),
 * {@link Pad} (bottom/right zeros to 256x256). Matches the challenge's inference script to 1e-5
 * (tested against OpenCV 4.6 output).
 */
public final class Preprocess {
    private final ResizeLongestSide resize;

    public Preprocess(ResizeLongestSide resize) {
        this.resize = resize;
    }

    /** The LiteMedSAM setting (256). */
    public static Preprocess defaults() {
        return new Preprocess(ResizeLongestSide.defaults());
    }

    public int side() {
        return resize.target();
    }

    /** Prepares a grey ({@code C=1}) or colour ({@code C=3}) 8-bit image. */
    public PreparedImage prepare(ImageU8 image) {
        ImageU8 rgb = image.toThreeChannels();
        ImageU8 small = resize.apply(rgb);
        float[] norm = Normalize.minMaxChw(small);
        float[] padded = Pad.chw(norm, 3, small.height(), small.width(), resize.target());
        return new PreparedImage(padded, resize.target(), small.height(), small.width(), image.height(), image.width());
    }

    /** The box {@code [x0,y0,x1,y1]} of the original image in the model frame. */
    public double[] box(double[] box, PreparedImage p) {
        return BoxPrompts.toModelFrame(box, p.origH(), p.origW(), p.side());
    }

    /** Binary {@code [origH, origW]} mask from the decoder's {@code [side, side]} logits. */
    public byte[] mask(float[] logits, PreparedImage p) {
        return Postprocess.mask(logits, p.side(), p.newH(), p.newW(), p.origH(), p.origW());
    }

    /** As {@link #mask(float[], PreparedImage)} for the {@code [side, side]} logits from {@code offset} of {@code logits}. */
    public byte[] mask(float[] logits, int offset, PreparedImage p) {
        return Postprocess.mask(logits, offset, p.side(), p.newH(), p.newW(), p.origH(), p.origW());
    }

    /** As {@link #mask(float[], int, PreparedImage)}, stored as the rectangle that can hold its set pixels. */
    public CroppedMask crop(float[] logits, int offset, PreparedImage p) {
        return Postprocess.crop(logits, offset, p.side(), p.newH(), p.newW(), p.origH(), p.origW());
    }
}
