pub fn routes() {}
