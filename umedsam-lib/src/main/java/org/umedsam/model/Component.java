package org.umedsam.model;

/** The three parts of LiteMedSAM; state-dict keys start with the part's prefix. */
public enum Component {
    IMAGE_ENCODER("image_encoder."), PROMPT_ENCODER("prompt_encoder."), MASK_DECODER("mask_decoder.");

    private final String prefix;

    Component(String prefix) {
        this.prefix = prefix;
    }

    /** Key prefix in the upstream state dict, e.g. {@code "image_encoder."}. */
    public String prefix() {
        return prefix;
    }

    /** The component a state-dict key belongs to. */
    public static Component of(String key) {
        for (Component c : values()) {
            if (key.startsWith(c.prefix)) {
                return c;
            }
        }
        throw new IllegalArgumentException("key '" + key + "' belongs to no LiteMedSAM component");
    }
}
