package dev.outpost.edge.sandbox;

/** Where a sandbox's client response goes. Called at most once per request, on the guest thread. */
public interface DownstreamResponder {
  /**
   * Starts the client response. The body may still be written to when {@code streaming}; the responder reads it until
   * it ends.
   */
  void send(ResponseState head, Body body, boolean streaming);
}
