package dev.outpost.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll when the platform has it, NIO otherwise. */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel) {

    /** Picks epoll when available, unless {@code -Doutpost.transport=nio} or {@code io_uring}. */
    public static Transport detect() {
        String wanted = System.getProperty("outpost.transport", "");
        boolean forceNio = "nio".equalsIgnoreCase(wanted);
        if ("io_uring".equalsIgnoreCase(wanted) && IoUring.isAvailable()) {
            return new Transport(
                    "io_uring",
                    IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class);
        }
        if (!forceNio && Epoll.isAvailable()) {
            return new Transport(
                    "epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** The datagram channel type of this transport (name lookups over UDP run on the same loops). */
    public Class<? extends DatagramChannel> datagramChannel() {
        return switch (name) {
            case "epoll" -> EpollDatagramChannel.class;
            case "io_uring" -> IoUringDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }

    /** A small fixed group: one thread per core, at most {@code max}. */
    public EventLoopGroup newGroup(String prefix, int max) {
        int n = Math.max(1, Math.min(max, Runtime.getRuntime().availableProcessors()));
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }
}
