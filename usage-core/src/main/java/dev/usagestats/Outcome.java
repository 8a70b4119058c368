package dev.usagestats;

/** How a model invocation ended. Errors are counted as calls and, separately, as errors. */
public enum Outcome {
  /** The invocation returned a response. */
  SUCCESS,
  /** The invocation failed; its tokens (often zero) still count. */
  ERROR
}
