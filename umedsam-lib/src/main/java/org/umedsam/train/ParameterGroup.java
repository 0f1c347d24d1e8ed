package org.umedsam.train;

/** Which parameters a run trains. */
public enum ParameterGroup {
    /** Every model parameter and the loss' log-sigmas. */
    ALL,
    /** The mask decoder and the loss' log-sigmas; image and prompt encoders frozen (as the U-MedSAM code does). */
    MASK_DECODER_AND_SIGMAS
}
