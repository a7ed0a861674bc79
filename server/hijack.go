package server

// Smaller socket buffers for sync connections. A hijacked net/http
// connection comes with a 4 KiB read buffer and a 4 KiB write buffer that
// the WebSocket keeps for its whole life: 8 KiB of every idle session.
// Frames larger than a buffer are read and written straight through it
// (bufio does so when its buffer is empty), so a smaller one costs at most
// one more system call on a frame that does not fit, while an idle
// connection holds 1 KiB.

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

const (
	syncReadBuffer  = 512 // frame headers, pings, small uploads in one read
	syncWriteBuffer = 512 // a frame's header with a small download in one write
)

// smallBuffers hands websocket.Accept the hijacked connection with
// syncReadBuffer and syncWriteBuffer instead of net/http's buffers.
type smallBuffers struct {
	http.ResponseWriter
}

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	// What the client sent after its upgrade request (its first frames)
	// may already be in net/http's buffer. It must end up in the new
	// reader's buffer, not behind it: websocket.Accept keeps only what is
	// buffered and resets the reader onto the connection.
	size := max(syncReadBuffer, brw.Reader.Buffered())
	var br *bufio.Reader
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc), size)
		if _, err := br.Peek(n); err != nil { // one read: the copy, not the socket
			nc.Close()
			return nil, nil, err
		}
	} else {
		br = bufio.NewReaderSize(nc, size)
	}
	// net/http flushed the 101 response before handing the connection
	// over; anything still buffered goes out before the first frame.
	if brw.Writer.Buffered() > 0 {
		if err := brw.Writer.Flush(); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, syncWriteBuffer)), nil
}
