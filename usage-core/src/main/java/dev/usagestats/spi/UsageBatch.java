package dev.usagestats.spi;

import java.util.List;
import java.util.Objects;

/**
 * A batch of deltas for a {@link UsageStore}. Its id is unique across nodes and never reused for
 * other content: a store that has applied a batch id must treat the same id as a no-op.
 *
 * @param id unique batch id ({@code nodeId} and a sequence number)
 * @param nodeId the node that recorded the events
 * @param deltas the rows to add
 */
public record UsageBatch(String id, String nodeId, List<UsageDelta> deltas) {
  /** Copies the deltas. */
  public UsageBatch {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(nodeId, "nodeId");
    deltas = List.copyOf(deltas);
  }
}
