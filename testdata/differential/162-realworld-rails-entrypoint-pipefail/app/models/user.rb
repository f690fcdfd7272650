class User < ApplicationRecord; end
