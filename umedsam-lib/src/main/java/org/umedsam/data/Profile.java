package org.umedsam.data;

/**
 * How much default data {@link DefaultDatasets#ensure} builds.
 *
 * @param name names the profile in the manifest ({@code tiny}, {@code default})
 * @param slices2d 2D slices per real atlas and slicing axis (axial, coronal, sagittal; Colin27
 *     alternates between the T1 with skull and the skull-stripped T1; INIA19 macaque T1)
 * @param crops3d 3D crops per real atlas
 * @param cropDepth slices per 3D crop
 * @param syntheticPerModality synthetic cases per synthetic modality (0: none)
 * @param real whether to build the real (mricron-data) cases
 */
public record Profile(String name, int slices2d, int crops3d, int cropDepth, int syntheticPerModality, boolean real) {
    public Profile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("profile needs a name");
        }
        if (slices2d < 0 || crops3d < 0 || syntheticPerModality < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        if (cropDepth < 2) {
            throw new IllegalArgumentException("cropDepth must be >= 2, got " + cropDepth);
        }
    }

    /**
     * The standard set: per atlas 60 slices along each of the three axes and 6 crops of 16 slices;
     * 50 cases per synthetic modality (so every modality has at least 10 test cases).
     */
    public static Profile defaults() {
        return new Profile("default", 60, 6, 16, 50, true);
    }

    /** A small set for tests and quick notebook runs: 10 slices per axis, 3 crops of 8 slices, 5 synthetic cases. */
    public static Profile tiny() {
        return new Profile("tiny", 10, 3, 8, 5, true);
    }
}
