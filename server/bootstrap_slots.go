package server

// Bootstrap slots: a fresh client's bind copies the partition's whole
// state for its bootstrap, so repeated fresh binds could hold many copies
// at once (900 binds once took 1.26 GB). A connection holds one bootstrap
// at a time and the server MaxBootstraps; a bind waits for its slot on
// the connection's read loop, which slows only that connection.

// bootstrapSlot waits for this connection's slot and one of the server's;
// it returns their release (idempotent), or nil if the connection ended.
func (c *conn) bootstrapSlot() func() {
	select {
	case c.bootSlot <- struct{}{}:
	case <-c.ctx.Done():
		return nil
	}
	select {
	case c.srv.bootSem <- struct{}{}:
	case <-c.ctx.Done():
		<-c.bootSlot
		return nil
	}
	released := false
	return func() {
		if !released {
			released = true
			<-c.srv.bootSem
			<-c.bootSlot
		}
	}
}
