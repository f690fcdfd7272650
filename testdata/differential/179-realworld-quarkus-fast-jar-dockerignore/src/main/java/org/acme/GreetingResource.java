class GreetingResource {}
