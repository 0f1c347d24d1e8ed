/**
 * Geometry shared by training and scoring: exact Euclidean distance transforms on n-dimensional grids
 * with anisotropic spacing ({@link org.umedsam.geometry.DistanceTransform}).
 *
 * <p>Beside the chain data -> model -> loss -> optim -> train -> metrics -> report, below both of its
 * users: {@code loss} (the distance maps of the boundary and shape-distance losses) and {@code metrics}
 * (surface distances for NSD). Depends on nothing else of umedsam.
 */
package org.umedsam.geometry;
