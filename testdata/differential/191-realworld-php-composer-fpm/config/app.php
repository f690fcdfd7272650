<?php return ["name" => "shop"];
