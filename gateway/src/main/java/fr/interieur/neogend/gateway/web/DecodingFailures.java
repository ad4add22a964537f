package fr.interieur.neogend.gateway.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Requests the HTTP decoder cannot read (a request line longer than Netty allows, headers too
 * large, garbage) are answered here, below Spring, with the same {@code application/problem+json}
 * body and security headers as every other answer — instead of Reactor Netty's bare status line —
 * then the connection is closed (the rest of such a request cannot be read reliably).
 */
public final class DecodingFailures extends ChannelInboundHandlerAdapter {

    static final String NAME = "neogend.decodingFailures";

    /** Installs the handler right after the HTTP codec of every connection. */
    public static NettyServerCustomizer customizer() {
        // Reactor Netty's own pipeline (with the HTTP codec) is set up before this callback runs
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null
                    && channel.pipeline().get(NAME) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, NAME, new DecodingFailures());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
            DecoderResult result = http.decoderResult();
            ReferenceCountUtil.release(msg);
            Throwable cause = result.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : cause instanceof TooLongFrameException
                                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                                    : HttpResponseStatus.BAD_REQUEST;
            refuse(
                    ctx,
                    status,
                    CorrelationIdFilter.newId(), // what was read of its headers is not to be trusted
                    switch (status.code()) {
                        case 414 -> "the request line (method, path and query) is too long";
                        case 431 -> "the request's headers are too large";
                        default -> "the request is not valid HTTP";
                    });
            return;
        }
        if (msg instanceof HttpRequest request && !validUri(request.uri())) {
            // Spring would answer a bare 400 for a target it cannot make a URI of (e.g. "%zz")
            String correlationId = CorrelationIdFilter.idFor(request.headers().get(CorrelationIdFilter.HEADER));
            ReferenceCountUtil.release(msg);
            refuse(
                    ctx,
                    HttpResponseStatus.BAD_REQUEST,
                    correlationId,
                    "the request target is not a valid URI (a '%' must start an escape of two "
                            + "hexadecimal digits, the escaped bytes must be UTF-8, every other byte ASCII)");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether the request target is a URI: a character scan, and java.net.URI only when it finds '%' or an oddity. */
    static boolean validUri(String uri) {
        boolean plain = true;
        for (int i = 0; i < uri.length() && plain; i++) {
            char c = uri.charAt(i);
            plain = c > 0x20 && c < 0x7f && c != '%' && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^'
                    && c != '`' && c != '{' && c != '|' && c != '}';
        }
        if (plain) {
            return true;
        }
        try {
            new URI(uri);
        } catch (URISyntaxException e) {
            return false;
        }
        return utf8(uri);
    }

    /**
     * Whether a target (a valid URI) is ASCII and its escapes UTF-8. The request line is read as
     * ISO-8859-1, so a character above 0x7F is a raw byte, which no URI holds; escapes that are not
     * UTF-8 (%E9, a surrogate, an overlong form) would reach the services as U+FFFD.
     */
    static boolean utf8(String uri) {
        byte[] bytes = new byte[uri.length()];
        int n = 0;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c > 0x7f) {
                return false;
            }
            if (c == '%' && i + 2 < uri.length()) {
                bytes[n++] = (byte) Integer.parseInt(uri, i + 1, i + 3, 16);
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, n)); // reports, never replaces
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static void refuse(
            ChannelHandlerContext ctx, HttpResponseStatus status, String correlationId, String detail) {
        String code = switch (status.code()) {
            case 414 -> "URI_TOO_LONG";
            case 431 -> "REQUEST_HEADER_FIELDS_TOO_LARGE";
            default -> "BAD_REQUEST";
        };
        String json = "{\"type\":\"urn:neogend:problem:"
                + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + "\",\"title\":\"" + status.reasonPhrase() + "\",\"status\":" + status.code()
                + ",\"detail\":\"" + detail + "\",\"code\":\"" + code + "\",\"correlationId\":\"" + correlationId
                + "\"}";
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(CorrelationIdFilter.HEADER, correlationId);
        for (String[] header : SecurityHeaders.pairs()) {
            response.headers().set(header[0], header[1]);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
