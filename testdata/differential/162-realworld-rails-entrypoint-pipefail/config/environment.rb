Rails.application.configure {}
