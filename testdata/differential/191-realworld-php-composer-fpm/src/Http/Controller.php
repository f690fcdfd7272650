<?php namespace App\Http; final class Controller {}
