class DemoTests {}
