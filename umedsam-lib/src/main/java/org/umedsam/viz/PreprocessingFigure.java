package org.umedsam.viz;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cases before and after LiteMedSAM preprocessing side by side (original slice with its box,
 * captioned with its size H×W; the 256×256 network input with the rescaled box, captioned
 * with an arrow), for a grid of modalities.
 */
public final class PreprocessingFigure {
    /**
     * One modality's pair.
     *
     * @param modality label printed in the captions
     * @param before the original slice (any size), its box in original pixels
     * @param after the preprocessed network input, its box in network pixels
     */
    public record Pair(String modality, Overlay.Example before, Overlay.Example after) {
        public Pair {
            Objects.requireNonNull(modality, "modality");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    private PreprocessingFigure() {
    }

    /**
     * @param pairs one per modality
     * @param panelSize longer side of each panel in pixels
     * @param pairsPerRow how many before/after pairs share a grid row
     */
    public static BufferedImage of(List<Pair> pairs, int panelSize, int pairsPerRow) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no cases to show");
        }
        List<ImageGrid.Panel> panels = new ArrayList<>();
        for (Pair p : pairs) {
            panels.add(new ImageGrid.Panel(Overlay.render(p.before(), panelSize),
                    p.modality() + " " + p.before().height() + "×" + p.before().width()));
            panels.add(new ImageGrid.Panel(Overlay.render(p.after(), panelSize),
                    p.modality() + " → " + p.after().height() + "×" + p.after().width()));
        }
        List<ImageGrid.LegendEntry> legend = new ArrayList<>();
        legend.add(new ImageGrid.LegendEntry(Overlay.BOX, "box prompt"));
        if (pairs.stream().anyMatch(p -> p.before().truth() != null || p.after().truth() != null)) {
            legend.add(new ImageGrid.LegendEntry(Overlay.TRUTH, "ground truth"));
        }
        return ImageGrid.compose("Before and after LiteMedSAM preprocessing (sizes H×W)", panels,
                2 * Math.max(1, pairsPerRow), legend);
    }
}
