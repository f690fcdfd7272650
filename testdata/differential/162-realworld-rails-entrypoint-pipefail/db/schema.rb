ActiveRecord::Schema.define {}
