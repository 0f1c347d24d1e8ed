package org.umedsam.loss;

import java.util.ArrayList;
import java.util.List;

/** Looks losses up by their short names, as configs spell them. */
public final class Losses {
    private Losses() {
    }

    /** Known names: dice, bce, mse, iou, sd, bd. */
    public static final List<String> NAMES = List.of("dice", "bce", "mse", "iou", "sd", "bd");

    public static SegLoss byName(String name) {
        return switch (name) {
            case "dice" -> new DiceLoss();
            case "bce" -> new BceWithLogitsLoss();
            case "mse" -> new PixelMseLoss();
            case "iou" -> new IouHeadLoss();
            case "sd" -> new ShapeDistanceLoss();
            case "bd" -> new BoundaryLoss();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "', expected one of " + NAMES);
        };
    }

    public static List<SegLoss> byNames(List<String> names) {
        List<SegLoss> out = new ArrayList<>();
        for (String n : names) {
            out.add(byName(n));
        }
        return out;
    }
}
