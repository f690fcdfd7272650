libc messages
