package dev.outpost.proxy.server;

import dev.outpost.origin.ClientTimeouts;
import dev.outpost.proxy.pubsub.Drops;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;

/** Counts (and logs, without flooding) each connection a {@link ClientTimeouts} closes, by limit. */
public final class TimeoutReport implements ClientTimeouts.Listener {
    private final Drops drops;
    private final String port;

    /** @param port which listener, for the log line ({@code client}, {@code publish}, {@code inspector}) */
    public TimeoutReport(Drops drops, String port) {
        this.drops = drops;
        this.port = port;
    }

    @Override
    public void timedOut(ChannelHandlerContext ctx, ClientTimeouts.Kind kind, Duration after) {
        String conn = ctx.channel().id().asShortText() + " " + ctx.channel().remoteAddress();
        long s = after.toSeconds();
        switch (kind) {
            case HEADER ->
                drops.hit(kind.key(), conn, port + " port: no complete request head within " + s + " s; closed");
            case BODY -> drops.hit(kind.key(), conn, port + " port: request body paused for " + s + " s; closed");
            case KEEP_ALIVE ->
                // closing an idle kept-alive connection is routine: counted, not logged
                drops.quietHit(kind.key(), conn, port + " port: idle for " + s + " s after a response; closed");
        }
    }
}
